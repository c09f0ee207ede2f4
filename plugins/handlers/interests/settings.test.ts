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
    expect(readInterestsSettings({})).toEqual({ maxActiveConcepts: 30, recheckEveryMs: 3_600_000 });
  });

  it('reads the concept limit under the solution variable name and the re-check interval in minutes', () => {
    expect(
      readInterestsSettings({ [NAMES.maxActiveConcepts]: ' 25 ', [NAMES.recheckMinutes]: '15' }),
    ).toEqual({
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
