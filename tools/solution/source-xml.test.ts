import { normalizeGuid as guidOrNull } from '../../dataverse/adapters/keys';
import { normalizeGuid as guidOrUndefined } from '../emulator/engine/values';
import { normalizeGuid } from './source-xml';

describe('normalizeGuid of solution XML', () => {
  it('reads a GUID as the Web API one does: braces off, lower case', () => {
    const id = ' {7D577253-3EF0-4A0A-BB7F-8335C2596E70} ';
    expect(normalizeGuid(id)).toBe('7d577253-3ef0-4a0a-bb7f-8335c2596e70');
    expect(normalizeGuid(id)).toBe(guidOrNull(id));
    expect(guidOrUndefined(id)).toBe(guidOrNull(id));
  });

  it('keeps text that is no GUID (trimmed, braces off, lower case) for the validator to name, and a missing id as empty', () => {
    expect(normalizeGuid('{Not-A-Guid}')).toBe('not-a-guid');
    expect(normalizeGuid(undefined)).toBe('');
    expect(guidOrUndefined('{Not-A-Guid}')).toBeUndefined();
  });
});
