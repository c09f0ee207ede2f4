import { campaignResults, uplift } from './results';

describe('uplift', () => {
  it('gives the difference with a Wald interval and the ratio with a log interval', () => {
    const result = uplift({ size: 1000, responders: 100 }, { size: 100, responders: 5 });
    expect(result?.difference.value).toBeCloseTo(0.05, 10);
    // se = √(0.1·0.9/1000 + 0.05·0.95/100) = 0.023770
    expect(result?.difference.low).toBeCloseTo(0.003412, 5);
    expect(result?.difference.high).toBeCloseTo(0.096588, 5);
    expect(result?.ratio?.value).toBeCloseTo(2, 10);
    // log se = √(1/100 − 1/1000 + 1/5 − 1/100) = 0.446094
    expect(result?.ratio?.low).toBeCloseTo(0.83427, 4);
    expect(result?.ratio?.high).toBeCloseTo(4.7947, 3);
  });

  it('leaves the ratio out while the control group has no response', () => {
    const result = uplift({ size: 50, responders: 5 }, { size: 10, responders: 0 });
    expect(result?.difference.value).toBeCloseTo(0.1, 10);
    expect(result?.ratio).toBeUndefined();
  });

  it('has no uplift without a control group', () => {
    expect(uplift({ size: 50, responders: 5 }, { size: 0, responders: 0 })).toBeUndefined();
  });
});

describe('campaignResults', () => {
  it('splits responders into target, control and others', () => {
    const results = campaignResults({
      targeted: 10,
      contacted: new Set(['a', 'b', 'c', 'd']),
      control: new Set(['e', 'f']),
      excluded: { 'no-consent': 3, control: 2 },
      responders: new Set(['a', 'b', 'e', 'z']),
      responses: 5,
    });
    expect(results.contacted).toEqual({ size: 4, responders: 2 });
    expect(results.control).toEqual({ size: 2, responders: 1 });
    expect(results.otherResponders).toBe(1);
    expect(results.targetRate).toBe(0.5);
    expect(results.controlRate).toBe(0.5);
    expect(results.uplift?.difference.value).toBe(0);
  });
});
