/**
 * `ideario distribute <campaign activity id> [--dry-run]`: distributes a campaign activity through the
 * contact policy (plugins/handlers/campaigns/distribute.ts), with progress, and prints the counts.
 * `ideario results <campaign id>`: records the campaign responses still missing, then prints the
 * campaign's results (plugins/handlers/campaigns/results.ts). Both talk to the selected environment.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import type { DistributionCounts, ExclusionReason } from '../../domain/campaign';
import { CampaignRecordError } from '../../plugins/handlers/campaigns/errors';
import {
  distributeCampaignActivity,
  type DistributeProgress,
  type DistributeResult,
} from '../../plugins/handlers/campaigns/distribute';
import {
  describeCampaignResults,
  recordAndStoreCampaignResults,
} from '../../plugins/handlers/campaigns/results';
import { CampaignError } from '../../domain/campaign';
import { runCommand, UserFacingError } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';
import { terminalBar } from './progress';

/** A campaign record or setting the user must fix, worded by the layer that found it. */
export class CampaignCommandError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignCommandError';
  }
}

export interface CampaignCommandDeps extends CommandDeps {
  progress?: { update(progress: DistributeProgress): void; stop(): void };
}

async function userFacing<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CampaignRecordError || error instanceof CampaignError)
      throw new CampaignCommandError(error.message);
    throw error;
  }
}

const REASON_WORDS: Readonly<Record<ExclusionReason, string>> = {
  'exclusion-list': 'exclusion list',
  'no-consent': 'no consent',
  'below-zero': 'Below Zero',
  incompatible: 'incompatible campaign',
  'frequency-cap': 'frequency cap',
  control: 'control group',
  capacity: 'over capacity',
};

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function describeDistribution(result: DistributeResult, dryRun: boolean): string[] {
  const c: DistributionCounts = result.plan.counts;
  const reasons = (Object.entries(c.excluded) as [ExclusionReason, number][])
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${REASON_WORDS[reason]} ${n}`);
  const days = c.perDay.map((d) => `${isoDay(d.day)} ${d.actions}`).join(', ');
  return [
    `${dryRun ? 'Would distribute' : 'Distributed'} campaign activity ${result.campaignActivityId} (${result.channel}): ` +
      `${c.targeted} targeted, ${c.created} ${dryRun ? 'to create' : 'created'}` +
      `${c.already ? ` (+${c.already} from an earlier run)` : ''}, ${c.postponed} postponed, ` +
      `${result.plan.exclusions.length} not contacted${reasons.length ? ` (${reasons.join(', ')})` : ''}.`,
    ...(days ? [`Per day: ${days}.`] : []),
  ];
}

export async function runDistributeCommand(
  campaignActivityId: string,
  options: ConnectionFlags & { dryRun: boolean },
  deps: CampaignCommandDeps,
): Promise<number> {
  return runCommand('distribute', deps.logger, async () => {
    const client = commandClient(options, deps);
    let result: DistributeResult;
    try {
      result = await userFacing(() =>
        distributeCampaignActivity({ client, clock: deps.clock, logger: deps.logger }, campaignActivityId, {
          dryRun: options.dryRun,
          onProgress: (p) => deps.progress?.update(p),
        }),
      );
    } finally {
      deps.progress?.stop();
    }
    for (const line of describeDistribution(result, options.dryRun)) deps.print(line);
    return 0;
  });
}

/** The language `ideario results` prints in: `--lang`, else IDEARIO_LANGUAGE, else English. */
export function resultsLanguage(flag: string | undefined, env: CommandDeps['env']): 'en' | 'es' {
  return (flag ?? env.IDEARIO_LANGUAGE ?? 'en').toLowerCase().startsWith('es') ? 'es' : 'en';
}

export async function runResultsCommand(
  campaignId: string,
  options: ConnectionFlags & { lang?: string },
  deps: CampaignCommandDeps,
): Promise<number> {
  return runCommand('results', deps.logger, async () => {
    const client = commandClient(options, deps);
    const language = resultsLanguage(options.lang, deps.env);
    const report = await userFacing(async () => {
      const { recorded, report } = await recordAndStoreCampaignResults(client, campaignId, deps.clock());
      if (recorded > 0)
        deps.print(
          language === 'es'
            ? `Registrada(s) ${recorded} respuesta(s) de campaña nueva(s).`
            : `Recorded ${recorded} new campaign response(s).`,
        );
      return report;
    });
    for (const line of describeCampaignResults(report, language)) deps.print(line);
    return 0;
  });
}

function terminalProgress(): CampaignCommandDeps['progress'] {
  const bar = terminalBar('{phase} {bar} {value}/{total}');
  return { update: (p) => bar.update(p.done, p.total, { phase: p.phase }), stop: () => bar.stop() };
}

export function registerCampaigns(program: Command, logger: Logger): void {
  const deps = (): CampaignCommandDeps => ({
    env: process.env,
    logger,
    print: (line) => console.log(line),
    clock: () => new Date(),
    progress: process.stderr.isTTY ? terminalProgress() : undefined,
  });
  const distribute = program
    .command('distribute <campaignActivityId>')
    .description(
      'Create a campaign activity’s emails or calls for the members its contact policy allows, recording why the others were left out',
    );
  addConnectionOptions(distribute)
    .option('--dry-run', 'plan and print the counts, write nothing', false)
    .action(async (id: string, opts: ConnectionFlags & { dryRun: boolean }) => {
      process.exitCode = await runDistributeCommand(id, opts, deps());
    });
  const results = program
    .command('results <campaignId>')
    .description('Record missing campaign responses, then print the campaign’s response rates and uplift');
  addConnectionOptions(results)
    .option('--lang <en|es>', 'language of the report (default IDEARIO_LANGUAGE, else en)')
    .action(async (id: string, opts: ConnectionFlags & { lang?: string }) => {
      process.exitCode = await runResultsCommand(id, opts, deps());
    });
}
