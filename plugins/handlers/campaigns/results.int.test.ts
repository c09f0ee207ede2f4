import type { DataverseClient } from '../../../dataverse/client';
import { campaign, contact, EventType, idr_interaction, idr_offer } from '../../../dataverse/generated';
import type { TestOrg } from '../../../tools/emulator/testing';
import { bind, recordUrl } from '../interests/records';
import {
  createCampaign,
  createCampaignOrg,
  createContacts,
  createList,
  recipients,
} from './campaign.testkit';
import { distributeCampaignActivity } from './distribute';
import { describeCampaignResults, readCampaignResults, recordCampaignResponses } from './results';

let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg();
});
afterEach(() => org.close());

let counter = 0;
async function interaction(
  client: DataverseClient,
  contactId: string,
  campaignId: string,
  eventType: number,
) {
  const i = idr_interaction.columns;
  await client.create(idr_interaction.entitySetName, {
    [i.idr_name]: 'Spring offer click',
    [i.idr_source]: 'esp',
    [i.idr_externalid]: `click-${++counter}`,
    [i.idr_eventtype]: eventType,
    [i.idr_occurredon]: '2026-03-11T10:00:00Z',
    [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    [bind(i.idr_campaign)]: recordUrl(campaign.entitySetName, campaignId),
  });
}

async function order(client: DataverseClient, contactId: string, offerId: string | null, on: string) {
  const i = idr_interaction.columns;
  await client.create(idr_interaction.entitySetName, {
    [i.idr_name]: 'Order confirmed',
    [i.idr_source]: 'erp',
    [i.idr_externalid]: `order-${++counter}`,
    [i.idr_eventtype]: EventType.OrderConfirmed,
    [i.idr_occurredon]: on,
    [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    ...(offerId ? { [bind(i.idr_offer)]: recordUrl(idr_offer.entitySetName, offerId) } : {}),
  });
}

describe('campaign results', () => {
  it('turns campaign interactions into responses once each and reports rates and uplift against the control group', async () => {
    const { client } = org;
    const ids = await createContacts(client, 200, (i) =>
      i < 5 ? { [contact.columns.donotbulkemail]: true } : {},
    );
    const target = await createList(client, 'Target', ids);
    const spring = await createCampaign(client, {
      name: 'Spring offer',
      channel: 'email',
      listIds: [target],
      controlPercent: 10,
      scheduledStart: '2026-03-10T09:00:00Z',
    });
    await distributeCampaignActivity({ client, clock: org.clock.now }, spring.campaignActivityId);
    const contacted = [...(await recipients(client, 'email', spring.campaignActivityId)).keys()];
    const control = ids.slice(5).filter((id) => !contacted.includes(id));
    expect(contacted).toHaveLength(175);
    expect(control).toHaveLength(20);

    for (const id of contacted.slice(0, 35))
      await interaction(client, id, spring.campaignId, EventType.EmailClick);
    // A second click of the same person is a second response, not a second responder.
    await interaction(client, contacted[0], spring.campaignId, EventType.OrderConfirmed);
    for (const id of control.slice(0, 2))
      await interaction(client, id, spring.campaignId, EventType.WebVisit);
    // Opens are not responses.
    await interaction(client, contacted[50], spring.campaignId, EventType.EmailOpen);

    expect(await recordCampaignResponses(client, spring.campaignId)).toBe(38);
    expect(await recordCampaignResponses(client, spring.campaignId)).toBe(0);

    // Orders: an offer's order is worth the offer's value; the window is 30 days after sending by default.
    const spa = await client.create(idr_offer.entitySetName, {
      [idr_offer.columns.idr_name]: 'Spa weekend',
      [idr_offer.columns.idr_code]: 'SPA',
      [idr_offer.columns.idr_value]: 500,
    });
    await order(client, contacted[1], spa, '2026-03-20T12:00:00Z');
    await order(client, contacted[2], spa, '2026-05-01T12:00:00Z');
    await order(client, control[0], spa, '2026-03-15T12:00:00Z');
    await order(client, ids[0], spa, '2026-03-15T12:00:00Z');

    const report = await readCampaignResults(client, spring.campaignId);
    expect(report).toMatchObject({
      targeted: 200,
      responses: 38,
      contacted: { size: 175, responders: 35 },
      control: { size: 20, responders: 2 },
      excluded: { 'no-consent': 5, control: 20 },
      otherResponders: 0,
    });
    expect(report.targetRate).toBeCloseTo(0.2, 10);
    expect(report.controlRate).toBeCloseTo(0.1, 10);
    expect(report.uplift?.difference.value).toBeCloseTo(0.1, 10);
    expect(describeCampaignResults(report)).toEqual([
      'Campaign "Spring offer" (1 campaign activity)',
      '  targeted: 200; contacted: 175; control group: 20',
      '  excluded: no consent for the channel 5',
      '  responses: 38 (responders: 35 contacted, 2 control, 0 other)',
      '  response rate: contacted 20.0 %, control 10.0 %',
      expect.stringMatching(
        /^ {2}uplift: \+10\.0 points \(95 % CI -4\.\d to 24\.\d\); ratio ×2\.00 \(95 % CI 0\.\d\d to \d+\.\d\d\)$/,
      ),
      // contacted[0]'s campaign order has no offer (worth 0); contacted[2] ordered after 30 days; ids[0] was not contacted.
      '  orders attributed (30 days after sending): contacted 2 worth 500.00, control 1 worth 500.00',
      '  revenue per contact: contacted 2.86, control 25.00; uplift -22.14 per contact',
    ]);
    // In Spanish: the words, and numbers as es-ES writes them (decimal comma).
    expect(describeCampaignResults(report, 'es')).toEqual([
      'Campaña "Spring offer" (1 actividad de campaña)',
      '  objetivo: 200; contactados: 175; grupo de control: 20',
      '  excluidos: sin consentimiento para el canal 5',
      '  respuestas: 38 (respondieron: 35 contactados, 2 de control, 0 otros)',
      '  tasa de respuesta: contactados 20,0 %, control 10,0 %',
      expect.stringMatching(
        /^ {2}incremento \(uplift\): \+10,0 puntos \(IC 95 % -4,\d a 24,\d\); razón ×2,00 \(IC 95 % 0,\d\d a \d+,\d\d\)$/,
      ),
      '  pedidos atribuidos (30 días tras el envío): contactados 2 por 500,00, control 1 por 500,00',
      '  ingresos por contacto: contactados 2,86, control 25,00; incremento -22,14 por contacto',
    ]);

    await client.update(campaign.entitySetName, spring.campaignId, {
      [campaign.columns.idr_attributiondays]: 60,
    });
    const longer = await readCampaignResults(client, spring.campaignId);
    expect(longer.attribution.target).toMatchObject({ orders: 3, revenue: 1000 });
  });
});
