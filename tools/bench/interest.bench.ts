/**
 * Interest engine throughput: scoring an event with forward decay (one add to the accumulator, then
 * the score at the event's time) against the brute-force baseline that re-sums the whole history
 * for every event, both measured in the same run on the same events.
 */
import { performance } from 'node:perf_hooks';
import { addEvent, DAY_MS, directScore, emptyState, scoreAt, type TimedPoints } from '../../domain/interest';

const HALF_LIFE_DAYS = 90;
const HISTORY_LENGTH = 5_000;
const ENGINE_EVENTS = 1_000_000;

/** A small fixed-seed generator, so every run scores the same events. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeEvents(count: number, random: () => number): TimedPoints[] {
  const events: TimedPoints[] = [];
  let time = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    time += Math.floor(random() * 6 * 3_600_000);
    // One in ten arrives late, up to a month out of order.
    const occurredOn = random() < 0.1 ? time - Math.floor(random() * 30 * DAY_MS) : time;
    events.push({ points: Math.round((random() * 40 - 10) * 100) / 100, occurredOn });
  }
  return events;
}

/** `work` returns a checksum of what it computed, so no step can be optimised away unseen. */
function timeIt(work: () => number): { seconds: number; checksum: number } {
  const start = performance.now();
  const checksum = work();
  return { seconds: (performance.now() - start) / 1000, checksum };
}

function perSecond(events: number, seconds: number): string {
  return Math.round(events / seconds).toLocaleString('en-US');
}

export async function run(): Promise<void> {
  const random = mulberry32(20250101);
  const history = makeEvents(HISTORY_LENGTH, random);
  const stream = makeEvents(ENGINE_EVENTS, random);

  // Let whatever ran before (another bench, module loading) settle before timing.
  await new Promise((resolve) => setImmediate(resolve));
  const engine = timeIt(() => {
    let state = emptyState(stream[0].occurredOn);
    let sink = 0;
    for (const event of stream) {
      state = addEvent(state, event.points, event.occurredOn, HALF_LIFE_DAYS);
      sink += scoreAt(state, event.occurredOn, HALF_LIFE_DAYS);
    }
    return sink;
  });

  const baseline = timeIt(() => {
    const seen: TimedPoints[] = [];
    let sink = 0;
    for (const event of history) {
      seen.push(event);
      sink += directScore(seen, event.occurredOn, HALF_LIFE_DAYS);
    }
    return sink;
  });

  // Both paths must compute the same scores, or the comparison means nothing.
  let state = emptyState(history[0].occurredOn);
  for (const event of history) state = addEvent(state, event.points, event.occurredOn, HALF_LIFE_DAYS);
  const last = history[history.length - 1].occurredOn;
  const check = Math.abs(scoreAt(state, last, HALF_LIFE_DAYS) - directScore(history, last, HALF_LIFE_DAYS));

  const engineRate = ENGINE_EVENTS / engine.seconds;
  const baselineRate = HISTORY_LENGTH / baseline.seconds;
  console.log(
    `forward decay (one add):        ${perSecond(ENGINE_EVENTS, engine.seconds)} events/s (${ENGINE_EVENTS.toLocaleString('en-US')} events)`,
  );
  console.log(
    `brute-force re-sum (baseline):  ${perSecond(HISTORY_LENGTH, baseline.seconds)} events/s (history growing to ${HISTORY_LENGTH.toLocaleString('en-US')} events)`,
  );
  console.log(`ratio:                          ${(engineRate / baselineRate).toFixed(0)}× faster`);
  console.log(`agreement on the final score:   |Δ| = ${check.toExponential(2)}`);
  console.log(
    `checksums:                      ${engine.checksum.toFixed(3)} / ${baseline.checksum.toFixed(3)}`,
  );
}
