/** FetchXML results as the Web API returns them for the next-best offers section, for tests. */
import { CLOUD_ID, DAY, NOW, SECURITY_ID } from './card.testkit';

export const AUDIT_ID = 'f0000000-0000-0000-0000-000000000001';
export const MIGRATION_ID = 'f0000000-0000-0000-0000-000000000002';
export const EXPIRED_ID = 'f0000000-0000-0000-0000-000000000003';
export const TODAY = '2026-12-05';
export const CAMPAIGN_ID = 'c0000000-0000-0000-0000-000000000001';

function offerRow(id: string, propensity: number, offer: Record<string, unknown>, concept: string | null) {
  return {
    idr_propensity: propensity,
    'o.idr_offerid': id,
    'o.idr_labeldays': 30,
    ...Object.fromEntries(Object.entries(offer).map(([k, v]) => [`o.${k}`, v])),
    ...(concept ? { 'oc.idr_concept': concept } : {}),
  };
}

/** Three scored offers: one per concept row (the outer join repeats the offer), one expired. */
export function scoreRows(): Record<string, unknown>[] {
  const audit = {
    idr_name: 'Zero trust audit',
    idr_code: 'AUDIT',
    idr_value: 800,
    idr_priority: 1,
    idr_campaign: CAMPAIGN_ID,
    idr_arguments: 'Find the gaps before an attacker does.',
    idr_argumentses: 'Encuentre las brechas antes que un atacante.',
  };
  const migration = {
    idr_name: 'Cloud migration plan',
    idr_code: 'MIGRATION',
    idr_value: 1200,
    idr_priority: 0,
    idr_arguments: 'Move with a plan, not a leap.',
    idr_argumentses: 'Migre con un plan, no a ciegas.',
  };
  return [
    offerRow(AUDIT_ID, 0.4, audit, SECURITY_ID),
    offerRow(AUDIT_ID, 0.4, audit, CLOUD_ID),
    offerRow(MIGRATION_ID, 0.2, migration, CLOUD_ID),
    offerRow(
      EXPIRED_ID,
      0.9,
      { idr_name: 'Last year', idr_value: 5000, idr_validto: '2026-11-30' },
      CLOUD_ID,
    ),
  ];
}

/** An "Offer presented" interaction as the events FetchXML returns it. */
export function presentedRow(offerId: string, outcome: number, daysAgo: number): Record<string, unknown> {
  return {
    idr_eventtype: 105200010,
    idr_occurredon: new Date(NOW - daysAgo * DAY).toISOString(),
    _idr_offer_value: offerId,
    idr_offeroutcome: outcome,
  };
}
