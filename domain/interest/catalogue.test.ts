import {
  activeLimitReached,
  DEFAULT_MAX_ACTIVE_CONCEPTS,
  parseMaxActiveConcepts,
  thresholdsConflict,
} from './catalogue';

describe('the concept catalogue rules', () => {
  it('refuse an exit threshold above the enter threshold, and nothing while either is empty', () => {
    expect(thresholdsConflict(10, 12)).toBe(true);
    expect(thresholdsConflict(10, 10)).toBe(false);
    expect(thresholdsConflict(10, 4)).toBe(false);
    expect(thresholdsConflict(null, 12)).toBe(false);
    expect(thresholdsConflict(10, null)).toBe(false);
  });

  it('stop one more active concept once the limit is reached', () => {
    expect(activeLimitReached(29, DEFAULT_MAX_ACTIVE_CONCEPTS)).toBe(false);
    expect(activeLimitReached(30, DEFAULT_MAX_ACTIVE_CONCEPTS)).toBe(true);
  });

  it('read the limit from the environment variable text, ignoring what is not a whole number ≥ 1', () => {
    expect(parseMaxActiveConcepts('12')).toBe(12);
    expect(parseMaxActiveConcepts(' 5 ')).toBe(5);
    for (const bad of ['0', '-3', '2.5', 'lots', '', null, undefined])
      expect(parseMaxActiveConcepts(bad)).toBeNull();
  });
});
