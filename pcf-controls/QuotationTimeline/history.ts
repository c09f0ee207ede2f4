/**
 * The quotation's recorded phase changes (`idr_phasehistory`, one row per change the server made: from,
 * to, when and who) as the timeline lists them, newest first.
 */
import { type QuotationPhase } from '../../domain/quotation/followups';
import * as H from '../../dataverse/generated/names/idr_phasehistory';
import { phaseOf } from './timeline';

export interface PhaseChangeItem {
  readonly key: string;
  /** Empty on a row written before the quotation had a phase. */
  readonly from: QuotationPhase | null;
  readonly to: QuotationPhase;
  /** When the save that moved the phase was made (epoch ms). */
  readonly on: number;
  /** Who made that save; null when the server moved it on its own (the follow-up sweep). */
  readonly by: string | null;
  /** The fact that holds the new phase, as the server wrote it ("sent on 1 March 2027"). */
  readonly detail: string | null;
}

/** Web API options for the quotation's phase changes (`webAPI.retrieveMultipleRecords`), newest first. */
export function phaseHistoryOptions(opportunityId: string): string {
  const select = [
    H.idr_phasehistoryid,
    H.idr_fromphase,
    H.idr_tophase,
    H.idr_changedon,
    H.idr_changedby,
    H.idr_detail,
  ];
  return `?$select=${select.join(',')}&$filter=_${H.idr_opportunity}_value eq ${opportunityId}&$orderby=${H.idr_changedon} desc`;
}

// phasehistory.ts writes "<full name> (<systemuserid>)" so the row stays readable if the user is renamed.
const USER_WITH_ID = /^(.*\S)\s*\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i;
const BARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The name of who made the change; a bare user id (no name was readable) shows as nobody in particular. */
export function changedByName(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.trim() === '' || BARE_ID.test(raw.trim())) return null;
  return USER_WITH_ID.exec(raw.trim())?.[1] ?? raw.trim();
}

function phase(raw: unknown): QuotationPhase | null {
  return typeof raw === 'number' ? phaseOf(raw) : null;
}

/** Rows to items, newest first; a row without a new phase or a readable date says nothing and is left out. */
export function phaseChangesFrom(rows: readonly Readonly<Record<string, unknown>>[]): PhaseChangeItem[] {
  const items: PhaseChangeItem[] = [];
  rows.forEach((row, index) => {
    const to = phase(row[H.idr_tophase]);
    const when = row[H.idr_changedon];
    const on = typeof when === 'string' ? Date.parse(when) : Number.NaN;
    if (to === null || Number.isNaN(on)) return;
    const id = row[H.idr_phasehistoryid];
    const detail = row[H.idr_detail];
    items.push({
      key: typeof id === 'string' ? id : `row-${index}`,
      from: phase(row[H.idr_fromphase]),
      to,
      on,
      by: changedByName(row[H.idr_changedby]),
      detail: typeof detail === 'string' && detail.trim() !== '' ? detail : null,
    });
  });
  return items.sort((a, b) => b.on - a.on);
}
