import { ServiceProtectionError } from '../engine/errors';
import { ServiceProtection, parseFaults, parseLimit } from './protection';

it('parses the command-line forms', () => {
  expect(parseLimit('6000/300s')).toEqual({ requests: 6000, windowSeconds: 300 });
  expect(parseLimit('100/5m')).toEqual({ requests: 100, windowSeconds: 300 });
  expect(() => parseLimit('6000')).toThrow('expected <requests>/<seconds>s');
  expect(parseFaults('503:0.05, 429:1')).toEqual([
    { status: 503, probability: 0.05 },
    { status: 429, probability: 1 },
  ]);
  expect(() => parseFaults('503:2')).toThrow('Invalid --faults');
});

it('slides the request window per user and says how long to wait', () => {
  let now = 0;
  const protection = new ServiceProtection({ limit: { requests: 2, windowSeconds: 60 }, now: () => now });
  protection.enter('a')();
  now = 10_000;
  protection.enter('a')();
  protection.enter('b')();
  now = 20_000;
  const error = (() => {
    try {
      protection.enter('a');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(ServiceProtectionError);
  expect(error).toMatchObject({ status: 429, code: '0x80072322', retryAfterSeconds: 40 });
  now = 60_001;
  expect(() => protection.enter('a')()).not.toThrow();
  expect(protection.remaining('a')).toBe(0);
});

it('counts concurrent requests until they are released', () => {
  const protection = new ServiceProtection({ concurrency: 2 });
  const first = protection.enter('a');
  protection.enter('a');
  expect(() => protection.enter('a')).toThrow('Number of concurrent requests exceeded the limit of 2.');
  first();
  first();
  expect(() => protection.enter('a')).not.toThrow();
});

it('injects a fault with the given probability, using the randomness passed in', () => {
  const rolls = [0.9, 0.01];
  const protection = new ServiceProtection({
    faults: [{ status: 503, probability: 0.05 }],
    random: () => rolls.shift() ?? 1,
  });
  expect(protection.fault()).toBeUndefined();
  expect(protection.fault()).toBe(503);
});
