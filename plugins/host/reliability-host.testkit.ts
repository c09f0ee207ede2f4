/**
 * A webhook host as its own process, for reliability runs that `kill -9` it:
 * `node --import tsx plugins/host/reliability-host.testkit.ts <emulator url> <webhook key> <now ISO>`.
 * It writes back to the emulator with any bearer token (the emulator runs without --token), scores at
 * the fixed `now` (so runs compare), and runs the pending sweep once at start with no age limit: what a
 * restarted host does for the events Dataverse could not deliver while it was down.
 */
import { createNodeClient } from '../../dataverse/adapters/node-client';
import { silentLogger } from '../../dataverse/logger';
import { scorePendingInteractions } from '../handlers/interests';
import { resolveOptions } from '../handlers/interests/settings';
import { createRegistry } from '../registry';
import { handlers } from './catalog';
import { defineJob } from './jobs';
import { startHost } from './node-server';

async function main(): Promise<void> {
  const [url, key, now] = process.argv.slice(2);
  if (!url || !key || !now) throw new Error('usage: reliability-host.testkit.ts <emulator url> <key> <now>');
  const clock = () => new Date(now);
  const options = resolveOptions({});
  const host = await startHost({
    port: 0,
    host: '127.0.0.1',
    deps: {
      client: createNodeClient({
        url,
        getToken: () => Promise.resolve('emulator'),
        logger: silentLogger,
        retry: { maxAttempts: 3, maxRetryAfterSeconds: 20, maxDelayMs: 4000 },
      }),
      clock,
      logger: silentLogger,
      secrets: { type: 'WebhookKey', key },
      handlers: createRegistry(handlers),
    },
    jobs: [
      defineJob({
        name: 'pending-sweep-at-start',
        everyMs: 24 * 3_600_000,
        run: async (deps) => {
          const summary = await scorePendingInteractions(deps, options, { olderThanMs: 0 });
          process.stdout.write(`Pending sweep done: ${JSON.stringify(summary)}\n`);
        },
      }),
    ],
    runJobsAtStart: true,
  });
  process.stdout.write(`Host listening on ${host.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
