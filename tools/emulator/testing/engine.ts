/** An engine over `:memory:` with the hand-built test metadata and a hand-moved clock. */
import type { MetadataModel } from '../../solution/model';
import { Engine } from '../engine/engine';
import { testMetadata } from './metadata';
import type { TestClock } from './clock';
import { testClock } from './clock';

export interface TestEngine {
  engine: Engine;
  clock: TestClock;
}

export function testEngine(
  options: {
    metadata?: MetadataModel;
    start?: Date;
    timeZone?: string;
    baseCurrency?: string;
    path?: string;
  } = {},
): TestEngine {
  const clock = testClock(options.start);
  const engine = new Engine({
    metadata: options.metadata ?? testMetadata(),
    path: options.path ?? ':memory:',
    clock: clock.now,
    timeZone: options.timeZone,
    baseCurrency: options.baseCurrency,
  });
  return { engine, clock };
}
