import { DEFAULT_VALUE_TIER_THRESHOLDS } from '../../../domain/interest';
import { InterestsSettingError } from './errors';
import { parseAppliedDeltas } from './records';
import {
  backoffMs,
  INTERESTS_ENVIRONMENT_VARIABLES as NAMES,
  readInterestsSettings,
  settingsFromEnvironment,
} from './settings';

describe('readInterestsSettings', () => {
  it('defaults to 30 active concepts and an hourly re-check', () => {
    expect(readInterestsSettings({})).toEqual({
      maxActiveConcepts: 30,
      recheckEveryMs: 3_600_000,
      valueTierThresholds: DEFAULT_VALUE_TIER_THRESHOLDS,
    });
  });

  it('reads the concept limit under the solution variable name and the re-check interval in minutes', () => {
    expect(
      readInterestsSettings({ [NAMES.maxActiveConcepts]: ' 25 ', [NAMES.recheckMinutes]: '15' }),
    ).toMatchObject({
      maxActiveConcepts: 25,
      recheckEveryMs: 900_000,
    });
  });

  it.each(['0', '-3', '2.5', 'thirty'])(
    'refuses the concept limit %s with the variable name and what is allowed',
    (value) => {
      const read = () => readInterestsSettings({ [NAMES.maxActiveConcepts]: value });
      expect(read).toThrow(InterestsSettingError);
      expect(read).toThrow(`idr_MaxActiveConcepts is '${value}'; use a whole number of concepts, at least 1`);
    },
  );

  it('refuses a re-check interval no timer schedule can express', () => {
    expect(() => readInterestsSettings({ [NAMES.recheckMinutes]: '7' })).toThrow(
      /IDEARIO_SEGMENT_RECHECK_MINUTES is '7'; use a number of minutes that divides/,
    );
  });
});

describe('value tier thresholds', () => {
  it('reads each threshold from its variable and keeps the domain default for the others', () => {
    expect(
      readInterestsSettings({ [NAMES.mostValuableFrom]: '250000', [NAMES.belowZeroInterestUnder]: ' -10 ' })
        .valueTierThresholds,
    ).toEqual({ ...DEFAULT_VALUE_TIER_THRESHOLDS, mostValuableFrom: 250_000, belowZeroInterestUnder: -10 });
  });

  it('refuses a threshold that is not a number, naming the variable', () => {
    expect(() => readInterestsSettings({ [NAMES.mostGrowableFrom]: 'lots' })).toThrow(
      "IDEARIO_VALUE_TIER_MOST_GROWABLE_FROM is 'lots'; use a number (default 100).",
    );
  });

  it('refuses a most-valuable threshold at or below the below-zero one', () => {
    expect(() => readInterestsSettings({ [NAMES.belowZeroUnder]: '100000' })).toThrow(
      "IDEARIO_VALUE_TIER_MOST_VALUABLE_FROM is '100000'; use a number above IDEARIO_VALUE_TIER_BELOW_ZERO_UNDER (100000).",
    );
  });
});

describe('backoffMs', () => {
  it('grows with the attempt and stays under the cap, spread by the random source', () => {
    expect(backoffMs(1, () => 0.999)).toBe(39);
    expect(backoffMs(3, () => 0.5)).toBe(80);
    expect(backoffMs(20, () => 0.999)).toBe(1998);
    expect(backoffMs(5, () => 0)).toBe(0);
  });
});

describe('parseAppliedDeltas', () => {
  it('reads the documented explanation and skips anything else', () => {
    const stored = JSON.stringify([
      { rule: 'r1', concept: 'c1', points: 5 },
      { rule: 'r2', points: 1 },
      'noise',
      { rule: 'r3', concept: 'c2', points: -2.5 },
    ]);
    expect(parseAppliedDeltas(stored)).toEqual([
      { rule: 'r1', concept: 'c1', points: 5 },
      { rule: 'r3', concept: 'c2', points: -2.5 },
    ]);
  });

  it.each([null, undefined, '', 'not json', '{"rule":"r1"}'])('reads %p as no deltas', (value) => {
    expect(parseAppliedDeltas(value)).toEqual([]);
  });
});

describe('settingsFromEnvironment', () => {
  it('reads the environment once, when first needed, so a bad limit fails the save that needs it', () => {
    const env: Record<string, string | undefined> = { [NAMES.maxActiveConcepts]: 'lots' };
    const settings = settingsFromEnvironment(env);
    expect(settings).toThrow(InterestsSettingError);
    env[NAMES.maxActiveConcepts] = '12';
    const fixed = settingsFromEnvironment(env);
    expect(fixed().maxActiveConcepts).toBe(12);
    env[NAMES.maxActiveConcepts] = '99';
    expect(fixed().maxActiveConcepts).toBe(12);
  });
});
