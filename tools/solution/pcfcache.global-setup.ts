/**
 * Jest globalSetup: builds the PCF controls into the build cache once, before any worker starts, so
 * the tests that pack `solution/` find them there instead of all waiting on the same build.
 */
import { consoleLogger } from '../../dataverse/logger';
import { cachedPcfBuild } from './pcfcache';
import { PCF_ROOT } from './pcfcache.testkit';

export default async function buildControlsOnce(): Promise<void> {
  const started = Date.now();
  const result = await cachedPcfBuild({ pcfRoot: PCF_ROOT, logger: consoleLogger });
  if (result.built)
    consoleLogger.info('PCF controls built for the tests', {
      seconds: Math.round((Date.now() - started) / 1000),
    });
}
