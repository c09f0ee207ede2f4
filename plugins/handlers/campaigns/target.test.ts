import { idr_interestprofile } from '../../../dataverse/generated';
import type { TargetQuery } from '../../../domain/campaign';
import { targetFetchXml } from '../../../dataverse/queries/target';
import { queryAsOf } from './target';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 9);
const CLOUD = '6f1c0c3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const SEC = '7a2d1d4f-2e3b-4d6c-8f90-1b2c3d4e5f60';
const query: TargetQuery = {
  concepts: [
    { conceptId: CLOUD, minScore: 40, halfLifeDays: 10 },
    { conceptId: SEC, minScore: 12.5, halfLifeDays: 90 },
  ],
  tiers: [],
  primaryInterestIds: [],
  segmentConceptIds: [CLOUD],
};
const halfLives = new Map([
  [CLOUD, 10],
  [SEC, 90],
]);

describe('a dynamic target list as of another day', () => {
  it('moves each minimum score to the later day, as if the target were made then', () => {
    const made = targetFetchXml(query, NOW);
    expect(made).toContain(idr_interestprofile.columns.idr_rankkey);
    expect(queryAsOf(made, halfLives, NOW + 3 * DAY)).toBe(targetFetchXml(query, NOW + 3 * DAY));
    expect(queryAsOf(made, halfLives, NOW)).toBe(made);
  });

  it('reads a query as the Dynamics editor saves it: double quotes and braced ids', () => {
    const edited = targetFetchXml(query, NOW).replace(/'/g, '"').replace(CLOUD, `{${CLOUD.toUpperCase()}}`);
    const moved = queryAsOf(edited, halfLives, NOW + DAY);
    expect(moved).toBe(
      targetFetchXml(query, NOW + DAY)
        .replace(/'/g, '"')
        .replace(CLOUD, `{${CLOUD.toUpperCase()}}`),
    );
  });

  it('leaves alone a query with no minimum score, or one for a concept no longer active', () => {
    const segmentOnly = targetFetchXml({ ...query, concepts: [] }, NOW);
    expect(queryAsOf(segmentOnly, halfLives, NOW + DAY)).toBe(segmentOnly);
    const made = targetFetchXml(query, NOW);
    const cloudOnly = new Map([[CLOUD, 10]]);
    const moved = queryAsOf(made, cloudOnly, NOW + DAY);
    const [, secBefore] = made.split(SEC);
    const [, secAfter] = moved.split(SEC);
    expect(secAfter).toBe(secBefore);
    expect(moved).not.toBe(made);
  });
});
