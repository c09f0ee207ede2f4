import path from 'node:path';
import { loadSolution } from '../../../tools/solution/loader';
import { compareStepsWithHandlers } from '../../registry';
import {
  createGroupQuotesHandlers,
  FOLLOWUP_SWEEP_JOB,
  GroupQuotesConfigError,
  groupQuotesFromEnvironment,
  readGroupQuotesSettings,
} from '.';

describe('the group-quotation handlers', () => {
  it('match the steps of solution/IdearioGroupQuotes, filtering attributes included', () => {
    const solution = loadSolution(path.join(__dirname, '../../../solution/IdearioGroupQuotes'));
    expect(compareStepsWithHandlers([solution], { handlers: createGroupQuotesHandlers() })).toEqual([]);
  });
});

describe('host settings', () => {
  it('default to UTC, English and no handoff URL', () => {
    expect(readGroupQuotesSettings({})).toEqual({ timeZone: 'UTC', language: 'en', handoffUrl: null });
  });

  it('read the ERP/PMS URL from idr_ErpHandoffUrl, the zone and the language from IDEARIO_*', () => {
    expect(
      readGroupQuotesSettings({
        idr_ErpHandoffUrl: ' https://erp.example/groups ',
        IDEARIO_TIME_ZONE: 'Europe/Madrid',
        IDEARIO_LANGUAGE: 'es-ES',
      }),
    ).toEqual({ timeZone: 'Europe/Madrid', language: 'es', handoffUrl: 'https://erp.example/groups' });
  });

  it('name the variable and what it accepts when a value is unusable', () => {
    expect(() => readGroupQuotesSettings({ IDEARIO_TIME_ZONE: 'Romance Standard Time' })).toThrow(
      new GroupQuotesConfigError(
        'IDEARIO_TIME_ZONE',
        'Romance Standard Time',
        'use an IANA time zone name such as Europe/Madrid',
      ),
    );
    expect(() => readGroupQuotesSettings({ idr_ErpHandoffUrl: 'erp.example' })).toThrow(
      /idr_ErpHandoffUrl is 'erp.example'/,
    );
  });

  it('wire an hourly sweep job unless IDEARIO_SWEEP_HOURS says otherwise', () => {
    expect(groupQuotesFromEnvironment({}).jobs.map((j) => [j.name, j.everyMs])).toEqual([
      [FOLLOWUP_SWEEP_JOB, 3_600_000],
    ]);
    expect(groupQuotesFromEnvironment({ IDEARIO_SWEEP_HOURS: '6' }).jobs[0].everyMs).toBe(6 * 3_600_000);
    expect(() => groupQuotesFromEnvironment({ IDEARIO_SWEEP_HOURS: '5' })).toThrow(
      /IDEARIO_SWEEP_HOURS is '5'/,
    );
  });
});
