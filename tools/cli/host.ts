/**
 * `ideario host [--port 7071] [--host 127.0.0.1]`: runs the webhook host and the scheduled jobs against a
 * real environment. Secrets come from the environment only (IDEARIO_WEBHOOK_KEY, IDEARIO_DATAVERSE_URL,
 * IDEARIO_TENANT_ID, IDEARIO_CLIENT_ID, IDEARIO_CLIENT_SECRET; IDEARIO_HOST_PORT for the port), never
 * from arguments, so they stay out of shell history and process lists.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { handlers, jobs } from '../../plugins/host/catalog';
import { createHostDeps, HostConfigError, parsePort, readHostEnvironment } from '../../plugins/host/env';
import { startHost, WEBHOOK_PATH, type RunningHost } from '../../plugins/host/node-server';

export interface HostCommandOptions {
  port?: string;
  host: string;
}

/** Starts the host; returns null (after logging why) when the settings are incomplete. */
export async function runHost(
  options: HostCommandOptions,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  print: (line: string) => void,
): Promise<RunningHost | null> {
  try {
    const port = options.port === undefined ? undefined : parsePort(options.port, '--port');
    const config = readHostEnvironment(env, { port });
    const deps = createHostDeps(config, { clock: () => new Date(), logger, handlers });
    const host = await startHost({ port: config.port, host: options.host, deps, jobs });
    print(`Webhook host listening on ${host.url}${WEBHOOK_PATH} (health: ${host.url}/health)`);
    print(
      `${handlers.length} handler(s), ${jobs.length} scheduled job(s); Dataverse at ${config.dataverseUrl}`,
    );
    return host;
  } catch (error) {
    if (error instanceof HostConfigError) {
      logger.error(error.message);
      return null;
    }
    throw error;
  }
}

export function registerHost(program: Command, logger: Logger): void {
  program
    .command('host')
    .description('Run the webhook host (POST /api/webhook) and the scheduled jobs against Dataverse')
    .option('--port <port>', 'port to listen on (default: IDEARIO_HOST_PORT or 7071)')
    .option(
      '--host <address>',
      'interface to listen on (0.0.0.0 to be reachable from Dataverse)',
      '127.0.0.1',
    )
    .action(async (opts: HostCommandOptions) => {
      const host = await runHost(opts, process.env, logger, (line) => console.log(line));
      if (!host) {
        process.exitCode = 1;
        return;
      }
      const stop = () => {
        logger.info('Stopping the webhook host…');
        void host.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
