/**
 * Two webhook hosts scoring one stream give the same profiles as one host. The emulator posts every
 * Create.idr_interaction to a round-robin front (a load balancer in front of a scaled-out Functions app
 * does the same), so the two hosts score events of the same contacts at the same time and race on the
 * same profiles; optimistic concurrency (If-Match) must make that invisible. Seeded events, a fixed
 * scoring clock, and rules whose outcome does not depend on the order events are scored in
 * (reliability.testkit.ts): one host with eight system jobs at once already scores in any order.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import { contact, EventType, idr_interaction, ProcessingStatus } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { seededRandom } from '../../domain/random';
import { startEmulator, type EmulatorExtension, type RunningEmulator } from '../../tools/emulator/start';
import { webhooksExtension } from '../../tools/emulator/webhooks/extension';
import {
  interactionStatuses,
  post,
  profilesByName,
  seedScoringOrg,
  type ServiceRoot,
} from '../../tools/ingest/reliability.testkit';
import { createRegistry } from '../registry';
import { handlers } from './catalog';
import { startHost, type RunningHost } from './node-server';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
/** The emulator runs without --token, so any bearer token is taken (the test's fetches send none). */
const TOKEN = 'emulator';
const EVENTS = 400;
const CONTACTS = 20;
const NOW = new Date('2026-06-01T12:00:00Z');
const IC = idr_interaction.columns;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** Forwards each request to the next host in turn, as it came (path, query with the key, headers, body). */
async function roundRobin(hosts: readonly RunningHost[]): Promise<{ url: string; served: number[] }> {
  const served = hosts.map(() => 0);
  let next = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const index = next++ % hosts.length;
    served[index] = (served[index] ?? 0) + 1;
    const target = new URL(incoming.url ?? '/', hosts[index]?.url);
    const forward = request(
      target,
      { method: incoming.method, headers: { ...incoming.headers, host: target.host } },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served };
}

/** One emulator, `hostCount` hosts behind one URL; the same seeded stream of events, one by one. */
async function run(hostCount: number) {
  const key = randomBytes(16).toString('hex');
  let client: DataverseClient | undefined;
  // The hosts' client reaches the emulator once it listens (as `npm start` wires them).
  const later: DataverseClient = new Proxy({} as DataverseClient, {
    get: (_target, name: keyof DataverseClient) => {
      if (!client) throw new Error('the emulator is not listening yet');
      const method = client[name] as (...args: unknown[]) => unknown;
      return method.bind(client);
    },
  });
  const hosts: RunningHost[] = [];
  for (let i = 0; i < hostCount; i++) {
    const host = await startHost({
      port: 0,
      host: '127.0.0.1',
      deps: {
        client: later,
        clock: () => NOW,
        logger: silentLogger,
        secrets: { type: 'WebhookKey', key },
        handlers: createRegistry(handlers),
      },
      jobs: [],
      runJobsAtStart: false,
    });
    closers.push(() => host.close());
    hosts.push(host);
  }
  const front = await roundRobin(hosts);
  const wire: EmulatorExtension = {
    name: 'host client',
    started: ({ url }) => {
      client = createNodeClient({
        url,
        getToken: () => Promise.resolve(TOKEN),
        logger: silentLogger,
        retry: { maxAttempts: 3, maxRetryAfterSeconds: 20, maxDelayMs: 4000 },
      });
    },
  };
  const emulator: RunningEmulator = await startEmulator({
    memory: true,
    port: 0,
    host: '127.0.0.1',
    solutionRoot: SOLUTION_ROOT,
    webhookUrl: front.url,
    webhookKey: key,
    asyncConcurrency: 8,
    logger: silentLogger,
    extensions: [webhooksExtension({}), wire],
  });
  closers.push(() => emulator.close());
  const root: ServiceRoot = { serviceRoot: `${emulator.url}/api/data/v9.2/` };
  const contacts = await seedScoringOrg(root, { contacts: CONTACTS, orderIndependent: true });

  const draw = seededRandom(31);
  const kinds = [
    [EventType.EmailClick, 'https://example.com/cloud/offer'],
    [EventType.WebVisit, 'https://example.com/pricing'],
    [EventType.FormSubmission, 'https://example.com/contact'],
  ] as const;
  const start = NOW.getTime() - 90 * 86_400_000;
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const [type, url] = kinds[Math.floor(draw() * kinds.length)] ?? kinds[0];
    return {
      [IC.idr_name]: `event ${i}`,
      [IC.idr_source]: 'web',
      [IC.idr_externalid]: `e-${i}`,
      [IC.idr_eventtype]: type,
      [IC.idr_occurredon]: new Date(start + Math.floor(draw() * 89 * 86_400_000)).toISOString(),
      [IC.idr_url]: url,
      [`${IC.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contacts[Math.floor(draw() * CONTACTS)] ?? ''})`,
    };
  });
  // Four writers, as integrations send; the system jobs then run eight at a time.
  let cursor = 0;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (cursor < events.length) {
        const event = events[cursor++];
        if (event) await post(root, idr_interaction.entitySetName, event);
      }
    }),
  );
  await emulator.whenJobsIdle({ timeoutMs: 600_000 });
  return {
    served: front.served,
    statuses: await interactionStatuses(root),
    profiles: (await profilesByName(root)).map(({ accumulator: _landmarked, ...p }) => ({
      ...p,
      // The hidden accumulator is kept against a landmark (idr_landmarkon) set by the first event
      // scored, so it depends on the order events were scored in; the score users see does not.
      // Sums taken in another order may differ in the last bits of a double.
      score: typeof p.score === 'number' ? p.score.toFixed(6) : p.score,
    })),
  };
}

it('scores one stream with two hosts into the same profiles as with one', async () => {
  const one = await run(1);
  expect(one.statuses).toEqual({ total: EVENTS, byStatus: { [ProcessingStatus.Scored]: EVENTS } });
  expect(one.profiles.length).toBeGreaterThan(CONTACTS);

  const two = await run(2);
  // Both hosts did score: the stream was shared.
  expect(two.served.every((n) => n > EVENTS / 4)).toBe(true);
  expect(two.statuses).toEqual(one.statuses);
  expect(two.profiles).toEqual(one.profiles);
}, 900_000);
