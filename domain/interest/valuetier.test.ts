import { InvalidTierThresholdsError } from './errors';
import { interestPotential, netInterest, valueTier } from './valuetier';

describe('value tier', () => {
  const thresholds = { mostValuableFrom: 50_000, mostGrowableFrom: 80 };

  it('puts the highest actual value first, whatever the potential', () => {
    expect(valueTier({ actualValue: 60_000, potentialValue: 500, netInterest: 200 }, thresholds)).toBe(
      'mostValuable',
    );
    expect(valueTier({ actualValue: 60_000, potentialValue: 0, netInterest: -10 }, thresholds)).toBe(
      'mostValuable',
    );
  });

  it('marks high potential with modest value as most growable', () => {
    expect(valueTier({ actualValue: 5_000, potentialValue: 120, netInterest: 100 }, thresholds)).toBe(
      'mostGrowable',
    );
    expect(valueTier({ actualValue: 5_000, potentialValue: 40, netInterest: 40 }, thresholds)).toBe(
      'maintain',
    );
  });

  it('marks customers who cost more than they bring as below zero', () => {
    expect(valueTier({ actualValue: -1_200, potentialValue: 500 }, thresholds)).toBe('belowZero');
    expect(valueTier({ actualValue: 2_000, potentialValue: 120, netInterest: -15 }, thresholds)).toBe(
      'belowZero',
    );
  });

  it('uses the defaults when no thresholds are given', () => {
    expect(valueTier({ actualValue: 150_000, potentialValue: 0 })).toBe('mostValuable');
    expect(valueTier({ actualValue: 0, potentialValue: 150 })).toBe('mostGrowable');
    expect(valueTier({ actualValue: 0, potentialValue: 0 })).toBe('maintain');
  });

  it('rejects thresholds that contradict each other', () => {
    expect(() => valueTier({ actualValue: 1, potentialValue: 1 }, { mostValuableFrom: -5 })).toThrow(
      InvalidTierThresholdsError,
    );
    expect(() => valueTier({ actualValue: 1, potentialValue: 1 }, { mostGrowableFrom: Number.NaN })).toThrow(
      /mostGrowableFrom/,
    );
  });

  it('derives potential and net interest from concept scores', () => {
    expect(interestPotential([10, -4, 2.5])).toBe(12.5);
    expect(netInterest([10, -4, 2.5])).toBe(8.5);
  });
});
