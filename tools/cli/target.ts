/**
 * `ideario target`: a campaign target from interests, for marketers and automation. Counts by
 * default; `--list "Name"` keeps it as a static marketing list (members added in batches, with
 * progress), `--list "Name" --dynamic` as a dynamic list whose query Dataverse runs when it is used.
 * `--offer CODE --top N` orders the target by the offer's propensity and keeps the N most likely;
 * `--offer CODE --min-propensity P` keeps those at or above P, a condition a dynamic list can hold.
 * Errors about names (unknown concept, tier or offer) are printed in English, or Spanish with `--lang es`.
 * `ideario triggers --once` runs the triggered actions' job now (exit 1 when a trigger is incomplete).
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import {
  InvalidTargetError,
  isPropensity,
  type OfferMinimum,
  type PropensityRanking,
  type TargetInput,
  UnknownOfferError,
} from '../../domain/campaign';
import {
  countTarget,
  createDynamicList,
  createStaticList,
  type MaterialiseProgress,
  rankTargetByOffer,
  readActiveOffer,
} from '../../plugins/handlers/campaigns/target';
import { recheckDistributed } from '../../plugins/handlers/campaigns/distribute';
import {
  runTriggers,
  TRIGGER_LOOKBACK_MS,
  type TriggerRunSummary,
} from '../../plugins/handlers/campaigns/triggers';
import { runCommand, UserFacingError } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';
import { terminalBar } from './progress';

export class TargetCommandError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'TargetCommandError';
  }
}

export interface TargetFlags extends ConnectionFlags {
  readonly concept?: readonly string[];
  readonly minScore?: string;
  readonly tier?: readonly string[];
  readonly primaryInterest?: readonly string[];
  readonly segment?: readonly string[];
  readonly interactedWithinDays?: string;
  readonly notContactedDays?: string;
  readonly count?: boolean;
  readonly list?: string;
  readonly dynamic?: boolean;
  readonly lang?: string;
  readonly offer?: string;
  readonly top?: string;
  readonly minPropensity?: string;
}

export interface TargetCommandDeps extends CommandDeps {
  progress?: { update(progress: MaterialiseProgress): void; stop(): void };
}

const MESSAGES = {
  en: {
    number: (flag: string, value: string) => `${flag} ${JSON.stringify(value)} is not a number.`,
    dynamicNeedsList: '--dynamic needs --list "Name" (the dynamic list to create).',
    listAndCount: 'Use either --count or --list, not both.',
    topNeedsOffer: '--top needs --offer <code> (the offer whose propensity orders the target).',
    topWhole: (value: string) => `--top ${JSON.stringify(value)} is not a whole number of at least 1.`,
    dynamicAndOffer:
      '--offer --top keeps the most likely contacts of today; a dynamic list re-runs its query, so use a static list or --min-propensity.',
    minPropensityNeedsOffer: '--min-propensity needs --offer <code> (the offer whose propensity it is).',
    topAndMinPropensity: 'Use either --top or --min-propensity, not both.',
    propensity: (value: string) => `--min-propensity ${JSON.stringify(value)} is not a number from 0 to 1.`,
    ranked: (kept: number, n: number, code: string, r: PropensityRanking) =>
      `${kept} of ${n} matching contact(s) kept, most likely first for offer ${code}` +
      (r.highest === undefined
        ? ' (none has a score for it yet).'
        : ` (propensity ${r.highest.toFixed(3)} down to ${(r.lowest ?? r.highest).toFixed(3)}; ${r.scored} of ${n} scored).`) +
      (r.leftOut > 0 ? ` ${r.leftOut} on an exclusion (Robinson) list left out before the cut.` : ''),
    count: (n: number) => `${n} contact(s) match.`,
    saved: (n: number, name: string, id: string) =>
      `Static list "${name}" created with ${n} member(s): ${id}.`,
    dynamic: (n: number, name: string, id: string) =>
      `Dynamic list "${name}" created (${n} contact(s) today; Dataverse re-runs its query when it is used; the hourly job keeps its minimum score as of today): ${id}.`,
  },
  es: {
    number: (flag: string, value: string) => `${flag} ${JSON.stringify(value)} no es un número.`,
    dynamicNeedsList: '--dynamic necesita --list "Nombre" (la lista dinámica que crear).',
    listAndCount: 'Use --count o --list, no ambos.',
    topNeedsOffer: '--top necesita --offer <código> (la oferta cuya propensión ordena el objetivo).',
    topWhole: (value: string) => `--top ${JSON.stringify(value)} no es un número entero de al menos 1.`,
    dynamicAndOffer:
      '--offer --top guarda los contactos más probables de hoy; una lista dinámica vuelve a ejecutar su consulta: use una lista estática o --min-propensity.',
    minPropensityNeedsOffer: '--min-propensity necesita --offer <código> (la oferta cuya propensión es).',
    topAndMinPropensity: 'Use --top o --min-propensity, no ambos.',
    propensity: (value: string) => `--min-propensity ${JSON.stringify(value)} no es un número de 0 a 1.`,
    ranked: (kept: number, n: number, code: string, r: PropensityRanking) =>
      `${kept} de ${n} contacto(s) que cumplen la condición, los más probables primero para la oferta ${code}` +
      (r.highest === undefined
        ? ' (ninguno tiene aún puntuación para ella).'
        : ` (propensión de ${r.highest.toFixed(3)} a ${(r.lowest ?? r.highest).toFixed(3)}; ${r.scored} de ${n} puntuados).`) +
      (r.leftOut > 0 ? ` ${r.leftOut} en una lista de exclusión (Robinson), fuera antes del corte.` : ''),
    count: (n: number) => `${n} contacto(s) cumplen la condición.`,
    saved: (n: number, name: string, id: string) =>
      `Lista estática "${name}" creada con ${n} miembro(s): ${id}.`,
    dynamic: (n: number, name: string, id: string) =>
      `Lista dinámica "${name}" creada (${n} contacto(s) hoy; Dataverse vuelve a ejecutar su consulta al usarla; el trabajo horario mantiene su puntuación mínima al día): ${id}.`,
  },
} as const;

function language(flags: TargetFlags, env: TargetCommandDeps['env']): 'en' | 'es' {
  const wanted = (flags.lang ?? env.IDEARIO_LANGUAGE ?? 'en').toLowerCase();
  return wanted.startsWith('es') ? 'es' : 'en';
}

function number(flag: string, value: string | undefined, lang: 'en' | 'es'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new TargetCommandError(MESSAGES[lang].number(flag, value));
  return n;
}

/** The flags as a target query input (names still unresolved). */
export function targetInput(flags: TargetFlags, lang: 'en' | 'es'): TargetInput {
  const minScore = number('--min-score', flags.minScore, lang) ?? 1;
  return {
    concepts: (flags.concept ?? []).map((concept) => ({ concept, minScore })),
    tiers: flags.tier ?? [],
    primaryInterests: flags.primaryInterest ?? [],
    segments: flags.segment ?? [],
    lastInteractionWithinDays: number('--interacted-within-days', flags.interactedWithinDays, lang),
    notContactedDays: number('--not-contacted-days', flags.notContactedDays, lang),
  };
}

export async function runTargetCommand(flags: TargetFlags, deps: TargetCommandDeps): Promise<number> {
  const lang = language(flags, deps.env);
  const say = MESSAGES[lang];
  return runCommand('target', deps.logger, async () => {
    if (flags.dynamic && !flags.list) throw new TargetCommandError(say.dynamicNeedsList);
    if (flags.count && flags.list) throw new TargetCommandError(say.listAndCount);
    if (flags.top !== undefined && !flags.offer) throw new TargetCommandError(say.topNeedsOffer);
    const byMinimum = flags.minPropensity !== undefined;
    if (byMinimum && !flags.offer) throw new TargetCommandError(say.minPropensityNeedsOffer);
    if (byMinimum && flags.top !== undefined) throw new TargetCommandError(say.topAndMinPropensity);
    if (flags.dynamic && flags.offer && !byMinimum) throw new TargetCommandError(say.dynamicAndOffer);
    const minPropensity = Number(flags.minPropensity);
    if (byMinimum && (flags.minPropensity?.trim() === '' || !isPropensity(minPropensity)))
      throw new TargetCommandError(say.propensity(flags.minPropensity ?? ''));
    const top = flags.top === undefined ? undefined : Number(flags.top);
    if (top !== undefined && (!Number.isInteger(top) || top < 1 || flags.top?.trim() === ''))
      throw new TargetCommandError(say.topWhole(flags.top ?? ''));
    const input = targetInput(flags, lang);
    const client = commandClient(flags, deps);
    let counted;
    let ranked;
    try {
      let offer: OfferMinimum | undefined;
      if (byMinimum && flags.offer)
        offer = { offerId: (await readActiveOffer(client, flags.offer)).id, minPropensity };
      counted = await countTarget({ client, clock: deps.clock }, input, offer);
      if (flags.offer && !byMinimum)
        ranked = await rankTargetByOffer(client, counted.contactIds, flags.offer, top);
    } catch (error) {
      if (error instanceof InvalidTargetError || error instanceof UnknownOfferError)
        throw new TargetCommandError(lang === 'es' ? error.messageEs : error.message);
      throw error;
    }
    const matching = counted.contactIds.length;
    const contactIds = ranked ? ranked.contactIds : counted.contactIds;
    const n = contactIds.length;
    if (ranked) deps.print(say.ranked(n, matching, ranked.offer.code, ranked));
    if (!flags.list) {
      if (!ranked) deps.print(say.count(n));
      return 0;
    }
    if (flags.dynamic) {
      const id = await createDynamicList(client, flags.list, counted.fetchXml);
      deps.print(say.dynamic(n, flags.list, id));
      return 0;
    }
    try {
      const id = await createStaticList(client, flags.list, contactIds, (p) => deps.progress?.update(p));
      deps.print(say.saved(n, flags.list, id));
    } finally {
      deps.progress?.stop();
    }
    return 0;
  });
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerTarget(program: Command, logger: Logger): void {
  const command = program
    .command('target')
    .description(
      'Select a campaign target from interests: count it, or keep it as a static or dynamic marketing list',
    );
  addConnectionOptions(command)
    .option(
      '--concept <code>',
      'a concept (code or name) the contact must score on today; repeatable',
      collect,
    )
    .option('--min-score <n>', 'the minimum score today for each --concept (default 1)')
    .option(
      '--tier <name>',
      'value tier: most-valuable, most-growable, maintain, below-zero; repeatable',
      collect,
    )
    .option('--primary-interest <code>', 'primary interest is this concept; repeatable (any of)', collect)
    .option('--segment <code>', "in this concept's segment; repeatable (any of)", collect)
    .option('--interacted-within-days <n>', 'last interaction within N days')
    .option('--not-contacted-days <n>', 'no email or phone call in the last N days')
    .option('--count', 'print how many contacts match (the default)', false)
    .option('--list <name>', 'create a static marketing list with the contacts')
    .option('--dynamic', 'with --list: create a dynamic list (its query) instead', false)
    .option(
      '--offer <code>',
      "order the target by this offer's propensity (idr_offerscore), most likely first",
    )
    .option('--top <n>', 'with --offer: keep only the N most likely contacts')
    .option(
      '--min-propensity <p>',
      "with --offer: keep the contacts whose propensity for it is at least p (0 to 1); a dynamic list's query can hold it",
    )
    .option('--lang <en|es>', 'language of the messages (default IDEARIO_LANGUAGE, else en)')
    .action(async (flags: TargetFlags) => {
      const bar = process.stderr.isTTY ? terminalBar('members {bar} {value}/{total}') : undefined;
      process.exitCode = await runTargetCommand(flags, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        progress: bar && { update: (p) => bar.update(p.done, p.total, {}), stop: () => bar.stop() },
      });
    });
}

/** One line for a trigger run, in the words of the README. */
export function describeTriggerRun(summary: TriggerRunSummary): string[] {
  const skipped = Object.entries(summary.skipped)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([reason, n]) => `${reason} ${n ?? 0}`);
  return [
    `Triggers: ${summary.occurrences} occurrence(s), ${summary.created} action(s) created` +
      ` (${summary.postponed} postponed by the contact policy), ${summary.already} done before` +
      `${skipped.length ? `, not created: ${skipped.join(', ')}` : ''}` +
      `${summary.cancelled ? `, ${summary.cancelled} postponed action(s) called off on their day` : ''}.`,
    ...summary.invalid.map((problem) => `Left out: ${problem}`),
  ];
}

/** `ideario triggers --once`: the host's hourly job, run now against the selected environment. */
export async function runTriggersCommand(
  flags: ConnectionFlags,
  deps: Omit<TargetCommandDeps, 'progress'>,
): Promise<number> {
  return runCommand('triggers', deps.logger, async () => {
    const client = commandClient(flags, deps);
    const summary = await runTriggers({ client, clock: deps.clock, logger: deps.logger });
    for (const line of describeTriggerRun(summary)) deps.print(line);
    // The job also re-checks campaign distributions due today (triggerjob.ts).
    const cancelled = await recheckDistributed(client, deps.clock().getTime(), TRIGGER_LOOKBACK_MS);
    if (cancelled > 0)
      deps.print(`Campaign distributions: ${cancelled} activity(ies) called off on their day.`);
    return summary.invalid.length > 0 ? 1 : 0;
  });
}

export function registerTriggers(program: Command, logger: Logger): void {
  const command = program
    .command('triggers')
    .description('Run the triggered actions now (the host runs them hourly and after each interaction)');
  addConnectionOptions(command)
    .option('--once', 'run once (the only mode: the host schedules the job)', true)
    .action(async (flags: ConnectionFlags) => {
      process.exitCode = await runTriggersCommand(flags, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
      });
    });
}
