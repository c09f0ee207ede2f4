import { OfferOutcome } from '../../dataverse/generated/choices';
import { toCard } from './card';
import { cardRows, interactionRows, NOW, onLists, ROBINSON_LIST_ID, SEGMENT_LIST_ID } from './card.testkit';
import { CARD_SOURCE, offerScoresFetchXml, presentedInteraction, toOfferSection } from './offers';
import { AUDIT_ID, CAMPAIGN_ID, MIGRATION_ID, presentedRow, scoreRows, TODAY } from './offers.testkit';

const CONTACT = '{A0000000-0000-0000-0000-00000000000A}';

describe('next-best offers mapping', () => {
  const card = toCard(cardRows(), interactionRows(), NOW);

  it('ranks current offers by propensity × value with the interests that explain them', () => {
    const section = toOfferSection(cardRows(), scoreRows(), [], card, NOW, TODAY);
    expect(section.offers.map((o) => [o.offer.name, o.expectedValue])).toEqual([
      ['Zero trust audit', 320],
      ['Cloud migration plan', 240],
    ]);
    // both concepts of the audit, strongest interest today first
    expect(section.offers[0]?.why.map((w) => w.name)).toEqual(['Zero trust security', 'Cloud migration']);
    expect(section.offers[0]?.offer.argumentsEs).toBe('Encuentre las brechas antes que un atacante.');
  });

  it('leaves out an offer the contact declined last week', () => {
    const declined = [presentedRow(AUDIT_ID, OfferOutcome.Declined, 7)];
    const section = toOfferSection(cardRows(), scoreRows(), declined, card, NOW, TODAY);
    expect(section.offers.map((o) => o.offer.id)).toEqual([MIGRATION_ID]);
  });

  it('keeps an offer the contact asked to hear about later', () => {
    const later = [presentedRow(AUDIT_ID, OfferOutcome.Later, 1)];
    expect(toOfferSection(cardRows(), scoreRows(), later, card, NOW, TODAY).offers).toHaveLength(2);
  });

  it('presents nothing to a Robinson list member and says why, however likely the offers', () => {
    const rows = onLists(cardRows(), [
      { id: SEGMENT_LIST_ID, exclusion: false },
      { id: ROBINSON_LIST_ID, exclusion: true },
    ]);
    const robinson = toCard(rows, interactionRows(), NOW);
    expect(toOfferSection(rows, scoreRows(), [], robinson, NOW, TODAY)).toEqual({
      offers: [],
      withheld: 'exclusion-list',
    });
  });

  it('presents nothing on the call to a contact who does not allow phone calls', () => {
    const rows = cardRows({ donotphone: true });
    const noCalls = toCard(rows, interactionRows(), NOW);
    expect(toOfferSection(rows, scoreRows(), [], noCalls, NOW, TODAY)).toEqual({
      offers: [],
      withheld: 'no-consent',
    });
  });

  it('still presents offers to a contact who only refuses email, and to a segment list member', () => {
    const rows = onLists(cardRows({ donotemail: true, donotbulkemail: true }), [
      { id: SEGMENT_LIST_ID, exclusion: false },
    ]);
    const section = toOfferSection(rows, scoreRows(), [], toCard(rows, interactionRows(), NOW), NOW, TODAY);
    expect(section.withheld).toBeUndefined();
    expect(section.offers.map((o) => o.offer.id)).toEqual([AUDIT_ID, MIGRATION_ID]);
  });

  it('reads the contact’s scores by its id', () => {
    expect(offerScoresFetchXml(CONTACT)).toContain(
      '<condition attribute="idr_contact" operator="eq" value="a0000000-0000-0000-0000-00000000000a"/>',
    );
  });

  it('records a click as an Offer presented interaction with the answer', () => {
    const record = presentedInteraction(CONTACT, { id: AUDIT_ID, name: 'Zero trust audit' }, 'accepted', NOW);
    expect(record).toEqual({
      idr_name: 'Offer presented: Zero trust audit',
      idr_eventtype: 105200010,
      idr_offeroutcome: OfferOutcome.Accepted,
      idr_occurredon: new Date(NOW).toISOString(),
      idr_source: CARD_SOURCE,
      idr_externalid: `a0000000-0000-0000-0000-00000000000a:${AUDIT_ID}:${NOW}`,
      'idr_contact@odata.bind': '/contacts(a0000000-0000-0000-0000-00000000000a)',
      'idr_offer@odata.bind': `/idr_offers(${AUDIT_ID})`,
    });
  });

  it('carries the offer’s campaign, so an accepted offer answers that campaign', () => {
    const section = toOfferSection(cardRows(), scoreRows(), [], card, NOW, TODAY);
    const [audit, migration] = section.offers;
    expect(audit?.offer.campaignId).toBe(CAMPAIGN_ID);
    expect(presentedInteraction(CONTACT, audit.offer, 'accepted', NOW)).toMatchObject({
      'idr_campaign@odata.bind': `/campaigns(${CAMPAIGN_ID})`,
    });
    // An offer outside any campaign records a plain interaction.
    expect(presentedInteraction(CONTACT, migration.offer, 'accepted', NOW)).not.toHaveProperty(
      'idr_campaign@odata.bind',
    );
  });
});
