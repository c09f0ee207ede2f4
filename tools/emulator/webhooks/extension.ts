/**
 * The running emulator's webhooks, system jobs and solution import, as one `EmulatorExtension`:
 * steps post over HTTP to the host named by `--webhook-url` / `IDEARIO_WEBHOOK_URL`, the job worker
 * runs in the background, `ImportSolutionAsync` / `StageSolution` are registered, and solutions imported
 * into this database before a restart are applied again before the server listens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { registerSolutionImport } from '../import/actions';
import { serveIdle } from '../jobs/idle-route';
import type { EmulatorExtension } from '../start';
import { mergeWebhookSettings, webhookSettingsFromEnv } from './config';
import { HEADERS } from './dispatcher';
import { attachHttpWebhooks, type Webhooks } from './index';

export function webhooksExtension(
  env: Readonly<Record<string, string | undefined>> = process.env,
): EmulatorExtension {
  let webhooks: Webhooks | undefined;
  let token: string | undefined;
  let memoryWorkDir: string | undefined;
  return {
    name: 'webhooks, system jobs and solution import',
    async setup({ engine, options, logger }) {
      token = options.token;
      const settings = mergeWebhookSettings(
        { webhookUrl: options.webhookUrl, webhookKey: options.webhookKey },
        webhookSettingsFromEnv(env),
      );
      webhooks = attachHttpWebhooks(engine, {
        settings,
        clock: options.clock ?? (() => new Date()),
        logger,
        newId: options.newId,
        asyncConcurrency: options.asyncConcurrency,
        startWorker: false,
      });
      // An emulator in memory keeps nothing after it stops, so its imports get a folder of their own:
      // emulators side by side (two CI runs, two test files) must not unpack into each other's.
      if (options.memory) memoryWorkDir = mkdtempSync(path.join(tmpdir(), 'ideario-emulator-imports-'));
      const workDir =
        memoryWorkDir ??
        (options.db
          ? path.join(path.dirname(options.db), 'imports')
          : path.join(tmpdir(), 'ideario-emulator-imports'));
      const importer = registerSolutionImport(engine, webhooks.jobs, {
        logger,
        workDir,
        newId: options.newId,
      });
      const reapplied = await importer.reapplyImported();
      if (reapplied.length > 0)
        logger.info('Solutions imported earlier were applied again.', { solutions: reapplied });
      const steps = webhooks.dispatcher.catalog().steps.length;
      if (!settings.url && steps > 0) {
        logger.warn(
          `${steps} webhook step(s) are registered but no webhook URL is set (--webhook-url or IDEARIO_WEBHOOK_URL): they will not be dispatched.`,
        );
      }
      webhooks.jobs.start();
    },
    // A handler calling back with the correlation id it received runs one level deeper (loop protection).
    callContext: (headers) => webhooks?.dispatcher.callContextFor(headers[HEADERS.correlationId]),
    whenIdle: async (options) => webhooks?.whenIdle(options),
    fallback: (request, response) => (webhooks ? serveIdle(webhooks.jobs, request, response, token) : false),
    async close() {
      await webhooks?.close();
      if (memoryWorkDir) rmSync(memoryWorkDir, { recursive: true, force: true });
    },
  };
}
