/** Two users with Ideario's own roles, for tests of what a caller named by MSCRMCallerID may do. */
import { systemuser } from '../../../dataverse/generated';
import type { Engine } from '../engine/engine';

export const ANALYST = '0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01';
export const MANAGER = '0b7c9a10-2222-4c1e-9a51-3e2f8d7c6b02';

/** Ana (Ideario Analyst) and Marta (Ideario Marketing Manager). */
export async function addRoleUsers(engine: Engine): Promise<void> {
  for (const [id, name] of [
    [ANALYST, 'Ana Analyst'],
    [MANAGER, 'Marta Manager'],
  ])
    await engine.create(systemuser.entitySetName, {
      [systemuser.primaryIdAttribute]: id,
      [systemuser.columns.fullname]: name,
    });
  engine.assignRoles(ANALYST, ['Ideario Analyst']);
  engine.assignRoles(MANAGER, ['Ideario Marketing Manager']);
}
