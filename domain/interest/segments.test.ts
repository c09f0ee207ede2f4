import { InvalidThresholdsError } from './errors';
import { decideMembership, nextInSegment, segmentTransition, validateThresholds } from './segments';

const thresholds = { enter: 50, exit: 30 };

describe('segment hysteresis', () => {
  it('enters at the enter threshold, stays between the lines, leaves below the exit threshold', () => {
    const scores = [10, 49.99, 50, 40, 30, 29.99, 40, 55];
    const path: boolean[] = [];
    let inSegment = false;
    for (const score of scores) {
      inSegment = nextInSegment(inSegment, score, thresholds);
      path.push(inSegment);
    }
    expect(path).toEqual([false, false, true, true, true, false, false, true]);
  });

  it('reports the transition only when membership changes', () => {
    expect(segmentTransition(false, 60, thresholds)).toBe('enter');
    expect(segmentTransition(true, 60, thresholds)).toBe('none');
    expect(segmentTransition(true, 10, thresholds)).toBe('leave');
    expect(segmentTransition(false, 10, thresholds)).toBe('none');
  });

  it('works without hysteresis when exit equals enter', () => {
    expect(segmentTransition(false, 20, { enter: 20, exit: 20 })).toBe('enter');
    expect(segmentTransition(true, 19.5, { enter: 20, exit: 20 })).toBe('leave');
  });

  it('rejects an exit threshold above the enter threshold, with both values and the concept', () => {
    expect(() => validateThresholds({ enter: 30, exit: 50 }, 'concept-7')).toThrow(InvalidThresholdsError);
    try {
      validateThresholds({ enter: 30, exit: 50 }, 'concept-7');
    } catch (error) {
      const e = error as InvalidThresholdsError;
      expect([e.conceptId, e.enter, e.exit]).toEqual(['concept-7', 30, 50]);
      expect(e.message).toMatch(/concept-7.*50.*30/);
    }
    expect(() => segmentTransition(false, 40, { enter: Number.NaN, exit: 0 })).toThrow(
      InvalidThresholdsError,
    );
  });
});

describe('marketing list membership', () => {
  const allowed = { doNotBulkEmail: false };
  const forbidden = { doNotBulkEmail: true };

  it.each([
    [true, false, allowed, 'add'],
    [true, true, allowed, 'none'],
    [false, true, allowed, 'remove'],
    [false, false, allowed, 'none'],
    [true, false, forbidden, 'none'],
    [true, true, forbidden, 'remove'],
    [false, true, forbidden, 'remove'],
    [false, false, forbidden, 'none'],
  ] as const)('in segment %p, in list %p, consent %p → %p', (inSegment, inList, consent, action) => {
    expect(decideMembership({ inSegment, inList, consent })).toBe(action);
  });
});
