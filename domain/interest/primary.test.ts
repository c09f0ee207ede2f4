import { primaryInterest } from './primary';

const day = (n: number): number => Date.UTC(2025, 0, n);

describe('primary interest', () => {
  it('is the concept with the highest score', () => {
    const primary = primaryInterest([
      { conceptId: 'a', conceptCode: 'CLOUD', score: 12, lastInteractionOn: day(1) },
      { conceptId: 'b', conceptCode: 'AI', score: 30, lastInteractionOn: day(1) },
      { conceptId: 'c', conceptCode: 'SEC', score: -40, lastInteractionOn: day(9) },
    ]);
    expect(primary?.conceptId).toBe('b');
  });

  it('breaks a tie by the most recent interaction, then by concept code', () => {
    expect(
      primaryInterest([
        { conceptId: 'a', conceptCode: 'AI', score: 20, lastInteractionOn: day(1) },
        { conceptId: 'b', conceptCode: 'CLOUD', score: 20, lastInteractionOn: day(5) },
      ])?.conceptCode,
    ).toBe('CLOUD');
    expect(
      primaryInterest([
        { conceptId: 'b', conceptCode: 'CLOUD', score: 20, lastInteractionOn: day(5) },
        { conceptId: 'a', conceptCode: 'AI', score: 20, lastInteractionOn: day(5) },
      ])?.conceptCode,
    ).toBe('AI');
  });

  it('treats scores equal but for float noise as a tie', () => {
    expect(
      primaryInterest([
        { conceptId: 'a', conceptCode: 'AI', score: 0.1 + 0.2, lastInteractionOn: day(1) },
        { conceptId: 'b', conceptCode: 'CLOUD', score: 0.3, lastInteractionOn: day(2) },
      ])?.conceptCode,
    ).toBe('CLOUD');
  });

  it('is none when no score is above zero', () => {
    expect(primaryInterest([])).toBeNull();
    expect(
      primaryInterest([
        { conceptId: 'a', conceptCode: 'AI', score: 0 },
        { conceptId: 'b', conceptCode: 'CLOUD', score: -3 },
      ]),
    ).toBeNull();
  });
});
