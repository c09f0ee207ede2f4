/** The interest engine: pure functions from events, rules and stored profile state to new state. */
export * from './errors';
export { DAY_MS, type EpochMs, utcDay } from './time';
export { type Glob, type GlobToken, globMatches } from './glob';
export * from './rules';
export * from './decay';
export * from './ranking';
export * from './segments';
export * from './primary';
export * from './rollup';
export * from './accountinterest';
export * from './valuetier';
export * from './profile';
export * from './bulk';
export * from './explanation';
