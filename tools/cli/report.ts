/**
 * `ideario report quotations [--url …]`: the group-quotation sales figures in the terminal (quotations
 * by phase, sent → confirmed by month and by agency, deposits overdue, revenue confirmed by month),
 * from the selected environment, in IDEARIO_LANGUAGE (en/es) with "today" in IDEARIO_TIME_ZONE, as
 * the host reads them.
 */
import type { Command } from 'commander';
import type { DataverseClient } from '../../dataverse/client';
import { account, type accountRecord, opportunity, type opportunityRecord } from '../../dataverse/generated';
import type { Logger } from '../../dataverse/logger';
import {
  dateOnlyFromDate,
  noAgencyLabel,
  quotationReport,
  type ReportQuotation,
  reportLines,
} from '../../domain/quotation';
import { GroupQuotesConfigError, readGroupQuotesSettings } from '../../plugins/handlers/groupquotes';
import {
  dateValue,
  idValue,
  lookupValueName,
  readPhase,
  textValue,
} from '../../plugins/handlers/groupquotes/record';
import { runCommand } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';

export type ReportCommandDeps = CommandDeps;

const c = opportunity.columns;

/** Every quotation as the report reads it (the dashboard test compares its charts with these figures). */
export async function readQuotations(client: DataverseClient): Promise<ReportQuotation[]> {
  const rows = (await client.retrieveMultiple(opportunity.entitySetName, {
    select: [
      c.name,
      c.idr_phase,
      lookupValueName(c.idr_agency),
      c.idr_quotesenton,
      c.idr_confirmedon,
      c.idr_total,
      c.idr_deposit,
      c.idr_depositduedate,
      c.idr_depositreceivedon,
    ],
    orderBy: [`${c.createdon} asc`],
    pageSize: 1000,
  })) as opportunityRecord[];
  const agencies = new Map<string, string | null>();
  for (const id of new Set(rows.map((r) => idValue(r._idr_agency_value)).filter((id) => id !== null))) {
    const row = (await client.retrieve(account.entitySetName, id, [
      account.columns.name,
    ])) as accountRecord | null;
    agencies.set(id, row ? textValue(row.name) : null);
  }
  return rows.map((r) => {
    const agency = idValue(r._idr_agency_value);
    return {
      name: textValue(r.name) ?? '',
      agency: agency ? (agencies.get(agency) ?? null) : null,
      phase: readPhase(r),
      quoteSentOn: dateValue(r.idr_quotesenton),
      confirmedOn: dateValue(r.idr_confirmedon),
      total: r.idr_total ?? null,
      deposit: r.idr_deposit ?? null,
      depositDueOn: dateValue(r.idr_depositduedate),
      depositReceivedOn: dateValue(r.idr_depositreceivedon),
    };
  });
}

/** Prints the report; returns the exit code. */
export async function runQuotationReport(flags: ConnectionFlags, deps: ReportCommandDeps): Promise<number> {
  return runCommand('report quotations', deps.logger, async () => {
    let settings: ReturnType<typeof readGroupQuotesSettings>;
    try {
      settings = readGroupQuotesSettings(deps.env);
    } catch (error) {
      if (!(error instanceof GroupQuotesConfigError)) throw error;
      deps.logger.error(error.message);
      return 1;
    }
    const client = commandClient(flags, deps);
    const today = dateOnlyFromDate(deps.clock(), { timeZone: settings.timeZone });
    const language = settings.language;
    const report = quotationReport(await readQuotations(client), today, noAgencyLabel(language));
    for (const line of reportLines(report, today, language)) deps.print(line);
    return 0;
  });
}

export function registerReport(program: Command, logger: Logger): void {
  const report = program.command('report').description('Print reports from Dataverse or the emulator');
  addConnectionOptions(
    report
      .command('quotations')
      .description(
        'Group quotations: by phase, sent → confirmed by month and agency, deposits overdue, revenue confirmed by month (IDEARIO_LANGUAGE en/es)',
      ),
  ).action(async (opts: ConnectionFlags) => {
    process.exitCode = await runQuotationReport(opts, {
      env: process.env,
      logger,
      print: (line) => console.log(line),
      clock: () => new Date(),
    });
  });
}
