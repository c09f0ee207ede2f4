import { incident, salesorder } from '../../../dataverse/generated';
import { COMPLAINT_SUFFIX, externalId, parseExternalId } from './business';

describe('parseExternalId', () => {
  const id = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';

  it('reads back the table, record and suffix externalId() wrote', () => {
    expect(parseExternalId(externalId(salesorder.logicalName, id))).toEqual({
      table: salesorder.logicalName,
      recordId: id,
    });
    expect(parseExternalId(externalId(incident.logicalName, id, COMPLAINT_SUFFIX))).toEqual({
      table: incident.logicalName,
      recordId: id,
      suffix: COMPLAINT_SUFFIX,
    });
  });

  it('answers null for an id another system wrote, with no table prefix', () => {
    for (const other of ['lost-12', '', null, undefined, `${salesorder.logicalName}:`])
      expect(parseExternalId(other)).toBeNull();
  });
});
