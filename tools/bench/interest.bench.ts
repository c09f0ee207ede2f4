/**
 * Interest engine throughput: scoring an event with forward decay (one add to the accumulator, then
 * the score at the event's time) against the brute-force baseline that re-sums a history of 1,000
 * and of 10,000 events for every event, both measured in the same run on the same seeded events.
 */
import { performance } from 'node:perf_hooks';
import { addEvent, DAY_MS, directScore, emptyState, scoreAt, type TimedPoints } from '../../domain/interest';
import { seededRandom } from '../../domain/random';
import { figure, type Figure } from './figures';
import type { BenchOptions } from './results';

const HALF_LIFE_DAYS = 90;
const HISTORIES = [1_000, 10_000];

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

/** Events per second of `work`, which returns a checksum so no step can be optimised away unseen. */
function rate(events: number, work: () => number): { perSecond: number; checksum: number } {
  const start = performance.now();
  const checksum = work();
  return { perSecond: events / ((performance.now() - start) / 1000), checksum };
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const runs = options.quick ? 3 : 5;
  const streamLength = options.quick ? 100_000 : 1_000_000;
  const random = seededRandom(20250101);
  const stream = makeEvents(streamLength, random);
  const result: Figure[] = [];
  for (const historyLength of HISTORIES) {
    const history = makeEvents(historyLength, random);
    // The baseline scores this many events, each re-summing the whole history (O(history) per event).
    const scored = options.quick ? 50 : 200;
    const engine: number[] = [];
    const baseline: number[] = [];
    for (let r = 0; r < runs; r++) {
      await new Promise((resolve) => setImmediate(resolve));
      engine.push(
        rate(streamLength, () => {
          let state = emptyState(stream[0].occurredOn);
          let sink = 0;
          for (const event of stream) {
            state = addEvent(state, event.points, event.occurredOn, HALF_LIFE_DAYS);
            sink += scoreAt(state, event.occurredOn, HALF_LIFE_DAYS);
          }
          return sink;
        }).perSecond,
      );
      baseline.push(
        rate(scored, () => {
          let sink = 0;
          for (let i = 0; i < scored; i++)
            sink += directScore(history, history[historyLength - 1 - i].occurredOn, HALF_LIFE_DAYS);
          return sink;
        }).perSecond,
      );
    }
    // Both paths must compute the same score, or the comparison means nothing.
    let state = emptyState(history[0].occurredOn);
    for (const event of history) state = addEvent(state, event.points, event.occurredOn, HALF_LIFE_DAYS);
    const last = history[historyLength - 1].occurredOn;
    const gap = Math.abs(scoreAt(state, last, HALF_LIFE_DAYS) - directScore(history, last, HALF_LIFE_DAYS));
    if (gap > 1e-6 * Math.max(1, Math.abs(directScore(history, last, HALF_LIFE_DAYS))))
      throw new Error(`forward decay and the re-sum disagree by ${gap} at ${historyLength} events`);
    result.push(
      figure(`engine.events_per_s.history_${historyLength}`, 'events/s', engine, {
        name: `brute-force re-sum of ${historyLength.toLocaleString('en-US')} events per event`,
        samples: baseline,
      }),
    );
  }
  return result;
}
