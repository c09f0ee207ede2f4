/**
 * The card's contact read run by the emulator's FetchXML, as the Web API would run it: whether the
 * contact is on an exclusion (Robinson) list comes with its profiles, in the same request.
 */
import { contact } from '../../dataverse/generated/contact';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { list } from '../../dataverse/generated/list';
import {
  createCampaignOrg,
  createContacts,
  createList,
} from '../../plugins/handlers/campaigns/campaign.testkit';
import { bind, recordUrl } from '../../plugins/handlers/interests/records';
import type { TestOrg } from '../../tools/emulator/testing';
import { seedConcept } from '../../tools/emulator/testing/interests';
import { cardFetchXml, toCard } from './card';
import { toOfferSection } from './offers';

const P = idr_interestprofile.columns;
let org: TestOrg;
beforeEach(() => {
  org = createCampaignOrg(new Date('2026-12-05T12:00:00Z'));
});
afterEach(() => org.close());

async function profile(contactId: string, conceptId: string, score: number): Promise<void> {
  await org.client.create(idr_interestprofile.entitySetName, {
    [P.idr_name]: `profile ${score}`,
    [bind(P.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    [bind(P.idr_concept)]: recordUrl(idr_marketingconcept.entitySetName, conceptId),
    [P.idr_score]: score,
    [P.idr_scoredon]: '2026-12-01T00:00:00Z',
  });
}

async function readCard(contactId: string) {
  const rows = await org.client.fetchXml(contact.entitySetName, cardFetchXml(contactId));
  const now = org.clock.now().getTime();
  const card = toCard(rows, [], now);
  return { card, offers: toOfferSection(rows, [], [], card, now, '2026-12-05') };
}

describe('the contact card read', () => {
  it('tells a Robinson list member from a segment member, and offers are withheld only from the first', async () => {
    const client = org.client;
    const [robinson, member, optedOut] = await createContacts(client, 3, (i) =>
      i === 2 ? { [contact.columns.donotphone]: true } : {},
    );
    const cloud = await seedConcept(client, { code: 'CLOUD' });
    const data = await seedConcept(client, { code: 'DATA' });
    for (const id of [robinson, member]) {
      await profile(id, cloud.id, 30);
      await profile(id, data.id, 10);
    }
    await createList(client, 'Segment members', [robinson, member]);
    await createList(client, 'Newsletter', [robinson, member]);
    await createList(client, 'Robinson list', [robinson], { [list.columns.idr_isexclusionlist]: true });

    const onList = await readCard(robinson);
    expect(onList.card.onExclusionList).toBe(true);
    // Each membership repeats the profiles in the rows; the card still shows each concept once.
    expect(onList.card.concepts.map((c) => c.name)).toEqual(['Concept CLOUD', 'Concept DATA']);
    expect(onList.offers).toEqual({ offers: [], withheld: 'exclusion-list' });

    const inSegments = await readCard(member);
    expect(inSegments.card.onExclusionList).toBe(false);
    expect(inSegments.card.concepts).toHaveLength(2);
    expect(inSegments.offers.withheld).toBeUndefined();

    // A contact on no list and with no profile still reads, with its consent.
    const noCalls = await readCard(optedOut);
    expect(noCalls.card.doNotPhone).toBe(true);
    expect(noCalls.card.onExclusionList).toBe(false);
    expect(noCalls.offers.withheld).toBe('no-consent');
  });
});
