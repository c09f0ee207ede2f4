import { contact } from '../generated';
import { isoSeconds, toEntityRecord, toPlainJson } from './records';

describe('toEntityRecord', () => {
  it('turns revived dates back into Web API strings and drops keys the library invented', () => {
    const formatted = `${contact.columns.statecode}@OData.Community.Display.V1.FormattedValue`;
    const raw = {
      '@odata.etag': 'W/"5"',
      oDataContext: 'ctx',
      [contact.columns.createdon]: new Date('2026-01-07T14:00:00Z'),
      [contact.columns.statecode]: 0,
      [formatted]: 'Active',
      [`${contact.columns.statecode}_Formatted`]: 'Active',
      [contact.columns.fullname]: null,
      alias: { _dwaType: 'alias', x: 1 },
    };
    expect(toEntityRecord(raw)).toEqual({
      '@odata.etag': 'W/"5"',
      [contact.columns.createdon]: '2026-01-07T14:00:00Z',
      [contact.columns.statecode]: 0,
      [formatted]: 'Active',
      [contact.columns.fullname]: null,
    });
  });

  it('keeps a real column whose name merely ends like a library key', () => {
    expect(toEntityRecord({ idea_Formatted: 'kept' })).toEqual({ idea_Formatted: 'kept' });
  });
});

describe('toPlainJson', () => {
  it('keeps structure, converts dates and drops library keys at every depth', () => {
    expect(toPlainJson({ a: [{ when: new Date(0), oDataContext: 'x' }], b: 'y' })).toEqual({
      a: [{ when: '1970-01-01T00:00:00Z' }],
      b: 'y',
    });
    expect(isoSeconds(new Date('2026-01-07T14:00:00.250Z'))).toBe('2026-01-07T14:00:00.250Z');
  });
});
