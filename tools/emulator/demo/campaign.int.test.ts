import { contact, idr_exclusion } from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { createCampaignOrg, createContacts } from '../../../plugins/handlers/campaigns/campaign.testkit';
import { readCampaignResults } from '../../../plugins/handlers/campaigns/results';
import type { TestOrg } from '../testing';
import { DEMO_CAMPAIGN_ID, loadCampaignDemo } from './campaign';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg(new Date('2026-03-20T08:00:00Z'));
});
afterEach(() => org.close());

describe('the demo campaign', () => {
  it('is a sent newsletter with a control group, exclusions and responses, loaded once', async () => {
    await createContacts(org.client, 120, (i) =>
      i % 20 === 0 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const options = { now: org.clock.now(), seed: 7, logger: memoryLogger() };
    const loaded = await loadCampaignDemo(org.client, options);
    expect(loaded).toBeDefined();
    const report = await readCampaignResults(org.client, DEMO_CAMPAIGN_ID);
    expect(report.targeted).toBe(120);
    expect(report.control.size).toBe(loaded?.control);
    expect(report.control.size).toBeGreaterThanOrEqual(10);
    expect(report.contacted.size).toBe(loaded?.emails);
    expect(report.excluded['no-consent']).toBeGreaterThanOrEqual(6);
    expect(report.responses).toBe(loaded?.responses);
    expect(report.responses).toBeGreaterThan(0);
    const why = await org.client.retrieveMultiple(idr_exclusion.entitySetName, {
      select: [idr_exclusion.columns.idr_reason],
    });
    expect(why.length).toBe((loaded?.control ?? 0) + (loaded?.excluded ?? 0));

    expect(await loadCampaignDemo(org.client, options)).toBeUndefined();
    expect((await readCampaignResults(org.client, DEMO_CAMPAIGN_ID)).responses).toBe(report.responses);
  });
});
