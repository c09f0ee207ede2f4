import { directScore } from '../../domain/interest/decay';
import { cardFetchXml, interactionsFetchXml, parseAppliedDeltas, toCard } from './card';
import {
  cardRows,
  CLOUD_ID,
  DAY,
  interactionRows,
  NOW,
  onLists,
  ROBINSON_LIST_ID,
  SECURITY_ID,
  SEGMENT_LIST_ID,
} from './card.testkit';

describe('InterestProfile card mapping', () => {
  it('decays each concept score to today and ranks concepts by it', () => {
    const card = toCard(cardRows(), interactionRows(), NOW);
    expect(card.contactName).toBe('Ana López');
    expect(card.concepts.map((c) => c.name)).toEqual(['Zero trust security', 'Cloud migration']);
    // Cloud: 20 points at the landmark 30 days ago, half-life 30 days → 10 today.
    expect(card.concepts[1].scoreToday).toBeCloseTo(
      directScore([{ points: 20, occurredOn: NOW - 30 * DAY }], NOW, 30),
      9,
    );
    expect(card.segments).toEqual(['Zero trust security']);
    expect(card.valueTier).toBe('Most growable');
    expect(card.primaryInterest).toBe('Zero trust security');
    expect(card.doNotBulkEmail).toBe(true);
  });

  it('explains each concept by the interactions that contributed most today, in words', () => {
    const card = toCard(cardRows(), interactionRows(), NOW);
    const security = card.concepts.find((c) => c.id === SECURITY_ID)!;
    expect(security.contributions.map((c) => [c.event, c.ruleName, c.points])).toEqual([
      ['Web visit', 'Pricing page', 12],
      ['Email click', 'Security newsletter', 5],
    ]);
    expect(security.contributions[0].pointsToday).toBeCloseTo(12 * 2 ** (-10 / 90), 9);
    expect(card.concepts.find((c) => c.id === CLOUD_ID)!.contributions).toHaveLength(1);
  });

  it('reads a contact without profiles as an empty card, and ignores explanations it cannot read', () => {
    const card = toCard([{ fullname: 'Nuevo', 'c.idr_marketingconceptid': null }], [], NOW);
    expect(card.concepts).toEqual([]);
    expect(card.max).toBe(0);
    expect(parseAppliedDeltas('not json')).toEqual([]);
    expect(
      parseAppliedDeltas('[{"rule":"r","concept":"{C0000000-0000-0000-0000-000000000001}","points":3}]'),
    ).toEqual([{ concept: CLOUD_ID, conceptName: '', ruleName: '', points: 3 }]);
  });

  it('tells a member of an exclusion list from the same read, each concept still shown once', () => {
    const robinson = onLists(cardRows(), [
      { id: SEGMENT_LIST_ID, exclusion: false },
      { id: ROBINSON_LIST_ID, exclusion: true },
    ]);
    const card = toCard(robinson, interactionRows(), NOW);
    expect(card.onExclusionList).toBe(true);
    expect(card.concepts.map((c) => c.name)).toEqual(['Zero trust security', 'Cloud migration']);
    const segmentOnly = onLists(cardRows(), [{ id: SEGMENT_LIST_ID, exclusion: false }]);
    expect(toCard(segmentOnly, interactionRows(), NOW).onExclusionList).toBe(false);
  });

  it('asks for the card in one FetchXML request and the interactions in a second', () => {
    expect(cardFetchXml('{ABC}')).toContain('<condition attribute="contactid" operator="eq" value="abc"/>');
    expect(cardFetchXml('abc')).toContain('link-type="outer" alias="p"');
    expect(interactionsFetchXml('abc')).toContain('<order attribute="idr_occurredon" descending="true"/>');
    // Those that explain a score and those about an offer, in the same read.
    expect(interactionsFetchXml('abc')).toContain(
      '<filter type="or"><condition attribute="idr_applieddeltas" operator="not-null"/><condition attribute="idr_offer" operator="not-null"/></filter>',
    );
  });
});
