import { account } from '../generated';
import { InvalidRecordKeyError } from './errors';
import { describeRecord, formatKey, normalizeGuid } from './keys';

const set = account.entitySetName;

describe('formatKey', () => {
  it('writes a GUID bare, lower case, without braces', () => {
    expect(formatKey(set, '{7D577253-3EF0-4A0A-BB7F-8335C2596E70}')).toBe(
      '7d577253-3ef0-4a0a-bb7f-8335c2596e70',
    );
  });

  it('writes alternate keys as OData literals: quotes doubled, the rest percent-encoded, numbers bare', () => {
    expect(formatKey(set, { [account.columns.accountnumber]: "O'Brien & Sons, 50%/#1" })).toBe(
      "accountnumber='O''Brien%20%26%20Sons%2C%2050%25%2F%231'",
    );
    expect(formatKey(set, { [account.columns.name]: 'A', [account.columns.numberofemployees]: 12 })).toBe(
      "name='A',numberofemployees=12",
    );
  });

  it('refuses what Dataverse could not resolve, naming the table', () => {
    expect(() => formatKey(set, 'A-100')).toThrow(InvalidRecordKeyError);
    expect(() => formatKey(set, 'A-100')).toThrow(
      "Invalid key for accounts: 'A-100' is not a GUID; pass alternate keys as an object such as { accountnumber: 'A-100' }",
    );
    expect(() => formatKey(set, {})).toThrow('Invalid key for accounts: the alternate key has no columns');
    expect(() => formatKey(set, { [account.columns.numberofemployees]: Number.NaN })).toThrow(
      /not a finite number/,
    );
  });
});

describe('describeRecord and normalizeGuid', () => {
  it('name a record readably for messages', () => {
    expect(describeRecord(set, { [account.columns.accountnumber]: 'A-1' })).toBe(
      "accounts(accountnumber='A-1')",
    );
    expect(normalizeGuid('not-a-guid')).toBeNull();
  });
});
