import { DataverseError } from '../errors';
import { idr_quotationpolicy } from '../generated';
import { UnknownEntitySetError } from './errors';
import { tableNamesFrom, type RecordWebApi } from './webapi-client';
import { createXrmReader } from './xrm-client';

const policies = idr_quotationpolicy;
const p = policies.columns;
const ID = '0b4c1a52-8a0e-4d8e-9a36-000000000003';

/** Xrm.WebApi's answers for the reader: a failure is `{ errorCode, message }`, the code as a positive decimal. */
function fakeWebApi(rows: Record<string, unknown>[], pages = 1) {
  const calls: string[] = [];
  const fail = (hex: number, message: string) => ({
    then: (_ok: unknown, ko: (e: unknown) => void) => ko({ errorCode: hex, message }),
  });
  const api: RecordWebApi = {
    retrieveRecord: (table, id, options) => {
      calls.push(`retrieve ${table} ${id} ${options ?? ''}`);
      const row = rows.find((r) => r[p.idr_quotationpolicyid] === id);
      if (!row) return fail(0x80040217, `${table} With Id = ${id} Does Not Exist`);
      return Promise.resolve(row);
    },
    retrieveMultipleRecords: (table, options) => {
      calls.push(`query ${table} ${options ?? ''}`);
      const page = options?.includes('page=') ? Number(/page=(\d+)/.exec(options)?.[1]) : 1;
      return Promise.resolve({
        entities: rows.slice(page - 1, page),
        nextLink: page < pages ? `https://org/api/data/v9.2/x?$top=5&page=${page + 1}` : undefined,
      });
    },
    createRecord: () => fail(0x80040220, 'not used'),
    updateRecord: () => fail(0x80040220, 'not used'),
    deleteRecord: () => fail(0x80040220, 'not used'),
  };
  return { api, calls };
}

const tables = tableNamesFrom([policies]);

describe('createXrmReader (the form scripts’ reads over Xrm.WebApi)', () => {
  it('retrieves by a braced GUID with $select and gives plain column values', async () => {
    const { api, calls } = fakeWebApi([
      { [p.idr_quotationpolicyid]: ID, [p.idr_defaultdepositpercent]: 30, nested: { a: 1 } },
    ]);
    const row = await createXrmReader(api, { tables }).retrieve(policies.entitySetName, `{${ID}}`, [
      p.idr_defaultdepositpercent,
    ]);
    expect(row).toEqual({ [p.idr_quotationpolicyid]: ID, [p.idr_defaultdepositpercent]: 30 });
    expect(calls).toEqual([`retrieve ${policies.logicalName} ${ID} ?$select=${p.idr_defaultdepositpercent}`]);
  });

  it('gives null for a record that does not exist, and a DataverseError naming the request otherwise', async () => {
    const { api } = fakeWebApi([]);
    const reader = createXrmReader(api, { tables });
    await expect(reader.retrieve(policies.entitySetName, ID)).resolves.toBeNull();
    api.retrieveMultipleRecords = () => ({
      then: (_ok: unknown, ko: (e: unknown) => void) =>
        ko({ errorCode: 0x80040220, message: 'Principal user is missing prvReadidr_quotationpolicy' }),
    });
    const failure = reader.retrieveMultiple(policies.entitySetName, { top: 1 });
    await expect(failure).rejects.toBeInstanceOf(DataverseError);
    await expect(failure).rejects.toThrow(
      `Query ${policies.entitySetName} failed: Principal user is missing prvReadidr_quotationpolicy`,
    );
  });

  it('follows nextLink until top is reached, and refuses a table it was not given', async () => {
    const rows = [1, 2, 3].map((n) => ({ [p.idr_name]: `Policy ${n}` }));
    const { api, calls } = fakeWebApi(rows, 3);
    const reader = createXrmReader(api, { tables });
    const found = await reader.retrieveMultiple(policies.entitySetName, { select: [p.idr_name], top: 2 });
    expect(found.map((r) => r[p.idr_name])).toEqual(['Policy 1', 'Policy 2']);
    expect(calls).toEqual([
      `query ${policies.logicalName} ?$select=${p.idr_name}&$top=2`,
      `query ${policies.logicalName} ?$top=5&page=2`,
    ]);
    // Without top, every page is read.
    const all = await reader.retrieveMultiple(policies.entitySetName, { select: [p.idr_name] });
    expect(all.map((r) => r[p.idr_name])).toEqual(['Policy 1', 'Policy 2', 'Policy 3']);
    await expect(reader.retrieveMultiple('accounts')).rejects.toBeInstanceOf(UnknownEntitySetError);
  });
});
