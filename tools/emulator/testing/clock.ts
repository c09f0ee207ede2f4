/** A clock tests and the plugin harness move by hand; the engine reads it through `now`. */
export interface TestClock {
  readonly now: () => Date;
  readonly set: (date: Date) => void;
  readonly advance: (ms: number) => void;
}

export function testClock(start: Date = new Date('2025-01-15T10:00:00Z')): TestClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (date) => {
      current = date.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
