/**
 * Test support for this folder's tests: the emulated organisation with the IdearioInterests handlers
 * and its seeding helpers (tools/emulator/testing/interests.ts, which the bench uses too), plus
 * `orgPerTest`, which registers jest hooks and so lives only here.
 */
import {
  createInterestsOrg,
  type InterestsOrg,
  type InterestsOrgOptions,
} from '../../../tools/emulator/testing/interests';

export * from '../../../tools/emulator/testing/interests';

/**
 * For a test file whose tests all start alike: registers a fresh organisation before each test and
 * closes it after; the object returned always stands for the current test's organisation.
 */
export function orgPerTest(options: InterestsOrgOptions = {}): InterestsOrg {
  let current: InterestsOrg | null = null;
  beforeEach(() => {
    current = createInterestsOrg(options);
  });
  afterEach(() => {
    current?.close();
    current = null;
  });
  const now = (): InterestsOrg => {
    if (!current) throw new Error('The organisation of orgPerTest exists only while a test runs.');
    return current;
  };
  return {
    get org() {
      return now().org;
    },
    get client() {
      return now().client;
    },
    get clock() {
      return now().clock;
    },
    get plugins() {
      return now().plugins;
    },
    get logger() {
      return now().logger;
    },
    get delivered() {
      return now().delivered;
    },
    drain: () => now().drain(),
    hold: () => now().hold(),
    deliver: (delivery) => now().deliver(delivery),
    close: () => now().close(),
  };
}
