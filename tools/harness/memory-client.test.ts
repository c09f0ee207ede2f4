import { idr_quotationpolicy } from '../../dataverse/generated';
import { UnsupportedQueryError } from './errors';
import { generatedTables } from './index';
import { memoryClient, parseSimpleFilter } from './memory-client';

const p = idr_quotationpolicy.columns;
const set = idr_quotationpolicy.entitySetName;
const { Active, Inactive } = idr_quotationpolicy.choices.statecode;
const policies = [
  {
    [p.idr_quotationpolicyid]: '0b4c1a52-8a0e-4d8e-9a36-000000000001',
    [p.idr_name]: "Winter's",
    [p.idr_isdefault]: false,
    [p.statecode]: Active,
  },
  {
    [p.idr_quotationpolicyid]: '0B4C1A52-8A0E-4D8E-9A36-000000000002',
    [p.idr_name]: 'Old default',
    [p.idr_isdefault]: true,
    [p.statecode]: Inactive,
  },
  {
    [p.idr_quotationpolicyid]: '0b4c1a52-8a0e-4d8e-9a36-000000000003',
    [p.idr_name]: 'Default',
    [p.idr_isdefault]: true,
    [p.statecode]: Active,
  },
];

describe('memoryClient', () => {
  const client = memoryClient(generatedTables(), { [set]: policies });

  it('returns the rows every condition holds for, projected on $select plus the id', async () => {
    const found = await client.retrieveMultiple(set, {
      select: [p.idr_name],
      filter: `${p.idr_isdefault} eq true and ${p.statecode} eq ${Active}`,
    });
    expect(found).toEqual([
      { [p.idr_quotationpolicyid]: '0b4c1a52-8a0e-4d8e-9a36-000000000003', [p.idr_name]: 'Default' },
    ]);
  });

  it('compares text and GUIDs without regard to case, and reads quoted quotes', async () => {
    expect(
      await client.retrieveMultiple(set, { filter: `${p.idr_name} eq 'WINTER''S'`, select: [p.idr_name] }),
    ).toHaveLength(1);
    expect(await client.retrieve(set, '{0b4c1a52-8a0e-4d8e-9a36-000000000002}', [p.idr_name])).toMatchObject({
      [p.idr_name]: 'Old default',
    });
    expect(await client.retrieve(set, '0b4c1a52-8a0e-4d8e-9a36-000000000009')).toBeNull();
  });

  it('honours $top and ne', async () => {
    expect(
      await client.retrieveMultiple(set, { filter: `${p.statecode} ne ${Inactive}`, top: 1 }),
    ).toHaveLength(1);
  });

  it('refuses filters it cannot evaluate instead of returning every row', async () => {
    expect(() => parseSimpleFilter(`${p.idr_name} eq 'a' or ${p.idr_name} eq 'b'`)).toThrow(
      UnsupportedQueryError,
    );
    await expect(client.retrieveMultiple(set, { filter: `contains(${p.idr_name},'x')` })).rejects.toThrow(
      UnsupportedQueryError,
    );
    await expect(client.create(set, {})).rejects.toThrow(/only reads/);
  });
});
