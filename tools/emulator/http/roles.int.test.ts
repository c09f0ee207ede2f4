/**
 * Security roles over HTTP: a caller named by MSCRMCallerID gets what its roles (solution/*\/src/Roles)
 * grant and nothing more; an unknown caller is refused as Dataverse refuses it; the token's own user
 * keeps full rights.
 */
import path from 'node:path';
import {
  EventType,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
} from '../../../dataverse/generated';
import { startEmulator, type RunningEmulator } from '../start';
import { ANALYST, MANAGER, addRoleUsers } from './roles.testkit';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');
const R = idr_interactionrule.columns;
const C = idr_marketingconcept.columns;

let emulator: RunningEmulator;
let ruleId: string;

beforeEach(async () => {
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT });
  const e = emulator.engine;
  await addRoleUsers(e);
  const concept = await e.create(idr_marketingconcept.entitySetName, {
    [C.idr_name]: 'Cloud',
    [C.idr_code]: 'CLOUD',
    [C.idr_enterthreshold]: 20,
    [C.idr_exitthreshold]: 10,
  });
  ruleId = await e.create(idr_interactionrule.entitySetName, {
    [R.idr_name]: 'Clicks',
    [R.idr_eventtype]: EventType.EmailClick,
    [R.idr_points]: 5,
    [`${R.idr_concept}@odata.bind`]: `${idr_marketingconcept.entitySetName}(${concept})`,
  });
});

afterEach(async () => {
  await emulator.close();
});

interface Answer {
  status: number;
  error?: { code: string; message: string };
}

async function call(pathAndQuery: string, init: RequestInit & { caller?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.caller) headers.MSCRMCallerID = init.caller;
  const response = await fetch(`${emulator.serviceRoot}${pathAndQuery}`, { ...init, headers });
  const text = await response.text();
  return {
    status: response.status,
    error: text ? (JSON.parse(text) as { error?: Answer['error'] }).error : undefined,
  };
}

const patchRule = (caller?: string) =>
  call(`${idr_interactionrule.entitySetName}(${ruleId})`, {
    method: 'PATCH',
    body: JSON.stringify({ [R.idr_points]: 50 }),
    caller,
  });

async function rulePoints(): Promise<unknown> {
  return (await emulator.engine.retrieve(idr_interactionrule.entitySetName, ruleId))[R.idr_points];
}

it('lets an Ideario Analyst read profiles, rules and concepts', async () => {
  for (const set of [
    idr_interestprofile.entitySetName,
    idr_interactionrule.entitySetName,
    idr_marketingconcept.entitySetName,
  ])
    expect((await call(`${set}?$top=1`, { caller: ANALYST })).status).toBe(200);
});

it('refuses an Analyst changing a rule or creating a concept, with the missing privilege, and changes nothing', async () => {
  const patched = await patchRule(ANALYST);
  expect(patched.status).toBe(403);
  expect(patched.error?.code).toBe('0x80040220');
  expect(patched.error?.message).toContain(`Principal user (Id=${ANALYST}`);
  expect(patched.error?.message).toContain(`is missing prvWrite${idr_interactionrule.logicalName} privilege`);
  expect(patched.error?.message).toContain('Roles held: Ideario Analyst');
  expect(await rulePoints()).toBe(5);

  const created = await call(idr_marketingconcept.entitySetName, {
    method: 'POST',
    body: JSON.stringify({ [C.idr_name]: 'Sneaky', [C.idr_code]: 'SNEAKY' }),
    caller: ANALYST,
  });
  expect(created.status).toBe(403);
  expect(created.error?.message).toContain(`prvCreate${idr_marketingconcept.logicalName}`);
  const concepts = await emulator.engine.query(idr_marketingconcept.entitySetName, { count: true, top: 0 });
  expect(concepts.count).toBe(1);
});

it('refuses the same change inside a $batch', async () => {
  const body = [
    '--b',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    `PATCH ${idr_interactionrule.entitySetName}(${ruleId}) HTTP/1.1`,
    'Content-Type: application/json',
    '',
    JSON.stringify({ [R.idr_points]: 50 }),
    '--b--',
    '',
  ].join('\r\n');
  const response = await fetch(`${emulator.serviceRoot}$batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/mixed;boundary=b', MSCRMCallerID: ANALYST },
    body,
  });
  expect(await response.text()).toContain('0x80040220');
  expect(await rulePoints()).toBe(5);
});

it('lets a Marketing Manager change rules', async () => {
  expect((await patchRule(MANAGER)).status).toBe(204);
  expect(await rulePoints()).toBe(50);
});

it('refuses a caller that is not a user, as Dataverse does, and stamps nothing', async () => {
  const stranger = '9d1c2a8e-0b4d-4c7e-9a51-3e2f8d7c6b5a';
  const before = await emulator.engine.retrieve(idr_interactionrule.entitySetName, ruleId);
  const answer = await patchRule(stranger);
  expect(answer.status).toBe(404);
  expect(answer.error).toEqual({
    code: '0x80040217',
    message: `systemuser With Id = ${stranger} Does Not Exist`,
  });
  expect(await emulator.engine.retrieve(idr_interactionrule.entitySetName, ruleId)).toEqual(before);

  const garbage = await patchRule('not-a-guid');
  expect(garbage.status).toBe(400);
  expect(garbage.error?.message).toMatch(/MSCRMCallerID 'not-a-guid' is not a systemuserid/);
});

it("keeps full rights for the token's own user (the System Administrator), as webhooks use it", async () => {
  expect((await patchRule()).status).toBe(204);
  expect(emulator.engine.rolesOf(emulator.engine.whoAmI().UserId)).toEqual(['System Administrator']);
});

it('refuses to assign a role the solutions do not define', () => {
  expect(() => emulator.engine.assignRoles(ANALYST, ['Ideario Analist'])).toThrow(
    /No security role named Ideario Analist; the solutions define System Administrator, .*Ideario Analyst/,
  );
});
