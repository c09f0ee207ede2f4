import { QuotationPhase } from '../../dataverse/generated/choices';
import * as H from '../../dataverse/generated/names/idr_phasehistory';
import { changedByName, phaseChangesFrom, phaseHistoryOptions } from './history';

const USER = '8d099519-6cde-4cec-8608-81232eb7b634';

describe('phase history rows', () => {
  it('become changes newest first, with the user named and the server for a change without one', () => {
    const items = phaseChangesFrom([
      {
        [H.idr_phasehistoryid]: 'h1',
        [H.idr_fromphase]: QuotationPhase.Request,
        [H.idr_tophase]: QuotationPhase.QuotationSent,
        [H.idr_changedon]: '2027-03-01T09:30:00Z',
        [H.idr_changedby]: `Marta Gil (${USER})`,
        [H.idr_detail]: 'sent on 1 March 2027',
      },
      {
        [H.idr_phasehistoryid]: 'h2',
        [H.idr_fromphase]: QuotationPhase.Transferred,
        [H.idr_tophase]: QuotationPhase.Settled,
        [H.idr_changedon]: '2027-06-08T05:00:00Z',
        [H.idr_changedby]: null,
        [H.idr_detail]: null,
      },
    ]);
    expect(items).toEqual([
      {
        key: 'h2',
        from: 'transferred',
        to: 'settled',
        on: Date.UTC(2027, 5, 8, 5),
        by: null,
        detail: null,
      },
      {
        key: 'h1',
        from: 'request',
        to: 'quotationSent',
        on: Date.UTC(2027, 2, 1, 9, 30),
        by: 'Marta Gil',
        detail: 'sent on 1 March 2027',
      },
    ]);
  });

  it('leave out a row without a new phase or a readable date', () => {
    expect(
      phaseChangesFrom([
        { [H.idr_tophase]: null, [H.idr_changedon]: '2027-03-01T09:30:00Z' },
        { [H.idr_tophase]: QuotationPhase.Confirmed, [H.idr_changedon]: 'yesterday' },
      ]),
    ).toEqual([]);
  });

  it('name who changed it: the name without its id, nobody for a bare id', () => {
    expect(changedByName(`Ana Ruiz (${USER})`)).toBe('Ana Ruiz');
    expect(changedByName('Integration user')).toBe('Integration user');
    expect(changedByName(USER)).toBeNull();
    expect(changedByName('  ')).toBeNull();
  });

  it('are read for one quotation, newest first', () => {
    const options = phaseHistoryOptions(USER);
    expect(options).toContain(`$filter=_${H.idr_opportunity}_value eq ${USER}`);
    expect(options).toContain(`$orderby=${H.idr_changedon} desc`);
  });
});
