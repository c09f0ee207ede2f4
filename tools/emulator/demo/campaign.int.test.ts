import {
  contact,
  idr_exclusion,
  idr_offer,
  type idr_exclusionRecord,
  type idr_offerRecord,
} from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { createCampaignOrg, createContacts } from '../../../plugins/handlers/campaigns/campaign.testkit';
import { REASON_CHOICES } from '../../../plugins/handlers/campaigns/distribute';
import { readCampaignResults } from '../../../plugins/handlers/campaigns/results';
import { idValue, lookupValue } from '../../../plugins/handlers/interests/records';
import type { TestOrg } from '../testing';
import { DEMO_CAMPAIGN_ID, loadCampaignDemo } from './campaign';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg(new Date('2026-03-20T08:00:00Z'));
});
afterEach(() => org.close());

describe('the demo campaign', () => {
  it('is a sent newsletter with a control group, exclusions and responses, loaded once', async () => {
    const ids = await createContacts(org.client, 120, (i) =>
      i % 20 === 0 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const noConsent = new Set(ids.filter((_, i) => i % 20 === 0));
    const offerId = await org.client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Spa weekend',
      [idr_offer.columns.idr_code]: 'SPA',
    });
    const options = { now: org.clock.now(), seed: 7, logger: memoryLogger() };
    const loaded = await loadCampaignDemo(org.client, options);
    expect(loaded).toBeDefined();
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    expect(report.targeted).toBe(120);
    expect(report.control.size).toBe(loaded?.control);
    expect(report.control.size).toBeGreaterThanOrEqual(10);
    expect(report.contacted.size).toBe(loaded?.emails);
    // The Robinson list (3 drawn contacts) is checked before consent, so a drawn contact without consent counts there.
    expect(report.excluded['exclusion-list']).toBe(3);
    expect(report.responses).toBe(loaded?.responses);
    expect(report.responses).toBeGreaterThan(0);
    // 6 % of the control group answer too (one of about twelve), so the uplift has a ratio.
    expect(report.control.responders).toBe(Math.round(report.control.size * 0.06));
    expect(report.control.responders).toBeGreaterThan(0);
    expect(report.uplift?.ratio).toBeDefined();
    // The demo offers belong to the campaign: "accepted" on the contact card answers it.
    expect(loaded?.offers).toBe(1);
    const offer = (await org.client.retrieve(idr_offer.entitySetName, offerId, [
      lookupValue(idr_offer.columns.idr_campaign),
    ])) as idr_offerRecord | null;
    expect(offer && idValue(offer._idr_campaign_value)).toBe(DEMO_CAMPAIGN_ID);
    const e = idr_exclusion.columns;
    const why = (await org.client.retrieveMultiple(idr_exclusion.entitySetName, {
      select: [e.idr_reason, lookupValue(e.idr_contact)],
    })) as idr_exclusionRecord[];
    const reasons = new Map(why.map((r) => [idValue(r._idr_contact_value), r.idr_reason ?? null]));
    const { 'no-consent': NoConsent, 'exclusion-list': ExclusionList } = REASON_CHOICES;
    for (const id of noConsent) expect([NoConsent, ExclusionList]).toContain(reasons.get(id));
    expect(report.excluded['no-consent']).toBe(
      [...noConsent].filter((id) => reasons.get(id) === NoConsent).length,
    );
    expect(report.excluded['no-consent']).toBeGreaterThanOrEqual(3);
    expect(why.length).toBe((loaded?.control ?? 0) + (loaded?.excluded ?? 0));

    expect(await loadCampaignDemo(org.client, options)).toBeUndefined();
    expect((await readCampaignResults(org.client, DEMO_CAMPAIGN_ID)).responses).toBe(report.responses);
  });
});
