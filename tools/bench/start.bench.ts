/**
 * What a user of `npm start` notices: how long their first interaction, POSTed over the Web API the
 * moment the URLs are printed, takes to be Scored (`start.first_event_ms`), against the same event
 * posted once the system job queue is idle (baseline); and `webhook.events_per_s`, interactions scored
 * per second end to end over HTTP (emulator → webhook host → emulator), 8 posted at a time.
 * The stack is `runStart` as `npm start` runs it, in memory, with the standard demo (small with --quick).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { contact, idr_interaction, idr_interactionrule, ProcessingStatus } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { runStart, type RunningStart } from '../cli/start';
import { LOCAL_TOKEN } from '../emulator/demo/extension';
import { figure, type Figure } from './figures';
import type { BenchOptions } from './results';

const ROOT = path.join(__dirname, '..', '..');
const CEILING_MS = 3 * 60_000;
const HTTP_EVENTS = 200;
const HTTP_PARALLEL = 8;
const I = idr_interaction.columns;

const headers = {
  Authorization: `Bearer ${LOCAL_TOKEN}`,
  Accept: 'application/json',
  'Content-Type': 'application/json',
};

async function post(running: RunningStart, entitySet: string, body: object): Promise<string> {
  const response = await fetch(`${running.webApiUrl}${entitySet}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (response.status !== 204) throw new Error(`POST ${entitySet} answered ${response.status}`);
  return /\(([^)]+)\)/.exec(response.headers.get('OData-EntityId') ?? '')?.[1] ?? '';
}

let sequence = 0;

/** An event type some demo rule gives points to with no URL or campaign to match, so the event scores. */
async function scoringEventType(running: RunningStart): Promise<number> {
  const R = idr_interactionrule.columns;
  const { records } = await running.emulator.engine.query(idr_interactionrule.entitySetName, {
    select: [R.idr_eventtype],
    filter: `${R.idr_match} eq null and ${R.idr_points} gt 0`,
    top: 1,
  });
  const eventType = records[0]?.[R.idr_eventtype];
  if (typeof eventType !== 'number') throw new Error('the demo has no rule an event without a URL matches');
  return eventType;
}

/** Posts one interaction of a new contact; resolves with its id. */
async function postInteraction(running: RunningStart, eventType: number): Promise<string> {
  const n = sequence++;
  const contactId = await post(running, contact.entitySetName, { [contact.columns.lastname]: `Bench ${n}` });
  return post(running, idr_interaction.entitySetName, {
    [I.idr_name]: `Bench visit ${n}`,
    [`${I.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
    [I.idr_eventtype]: eventType,
    [I.idr_occurredon]: new Date().toISOString(),
    [I.idr_source]: 'bench',
    [I.idr_externalid]: `bench-${n}-${Date.now()}`,
  });
}

/** Waits for the interaction to leave Pending (read in process: the poll adds no Web API load). */
async function whenScored(running: RunningStart, id: string): Promise<void> {
  const deadline = performance.now() + CEILING_MS;
  for (;;) {
    const row = await running.emulator.engine.retrieve(idr_interaction.entitySetName, id, {
      select: [I.idr_processingstatus],
    });
    const status = row[I.idr_processingstatus];
    if (status === ProcessingStatus.Scored) return;
    if (status !== ProcessingStatus.Pending || performance.now() > deadline)
      throw new Error(`interaction ${id} is ${String(status)}, not Scored, after ${CEILING_MS} ms at most`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function timeFirstEvent(running: RunningStart, eventType: number): Promise<number> {
  const began = performance.now();
  await whenScored(running, await postInteraction(running, eventType));
  return performance.now() - began;
}

interface StartRun {
  readonly firstEventMs: number;
  readonly idleEventMs: number;
  readonly eventsPerSecond: number;
}

async function startOnce(quick: boolean): Promise<StartRun> {
  const dist = await mkdtemp(path.join(tmpdir(), 'ideario-bench-start-'));
  let running: RunningStart | undefined;
  try {
    running = await runStart({
      port: 0,
      hostPort: 0,
      reset: false,
      demo: true,
      demoSize: quick ? 'small' : 'standard',
      memory: true,
      solutionRoot: path.join(ROOT, 'solution'),
      distDir: dist,
      // The bench measures the running stack, not esbuild: the form scripts are packed as they are.
      webResourceBuild: path.join(dist, 'no-build.ts'),
      logger: silentLogger,
      print: () => undefined,
    });
    const eventType = await scoringEventType(running);
    const firstEventMs = await timeFirstEvent(running, eventType);
    await running.emulator.whenJobsIdle({ timeoutMs: CEILING_MS });
    const idleEventMs = await timeFirstEvent(running, eventType);
    await running.emulator.whenJobsIdle({ timeoutMs: CEILING_MS });

    const began = performance.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: HTTP_PARALLEL }, async () => {
        while (next++ < HTTP_EVENTS) ids.push(await postInteraction(running as RunningStart, eventType));
      }),
    );
    await running.emulator.whenJobsIdle({ timeoutMs: CEILING_MS });
    const seconds = (performance.now() - began) / 1000;
    for (const id of ids) await whenScored(running, id);
    return { firstEventMs, idleEventMs, eventsPerSecond: ids.length / seconds };
  } finally {
    await running?.close();
    await rm(dist, { recursive: true, force: true });
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const runs: StartRun[] = [];
  for (let i = 0; i < 3; i++) runs.push(await startOnce(options.quick));
  const demo = options.quick ? 'small' : 'standard';
  return [
    figure(
      'start.first_event_ms',
      'ms',
      runs.map((r) => r.firstEventMs),
      {
        name: `the same event once the queue is idle (${demo} demo)`,
        samples: runs.map((r) => r.idleEventMs),
      },
    ),
    figure(
      'webhook.events_per_s',
      'events/s',
      runs.map((r) => r.eventsPerSecond),
    ),
  ];
}
