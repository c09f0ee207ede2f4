import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import {
  createInterestsOrg,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from '../../plugins/handlers/interests/test-org.testkit';
import { idr_interactionrule } from '../../dataverse/generated';
import { runRescoreCommand } from './rescore';

describe('ideario rescore', () => {
  it('prints what it changed and what a dry run would change', async () => {
    const env = createInterestsOrg({ start: new Date('2025-03-01T09:00:00Z') });
    try {
      const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 100, exit: 50 });
      const rule = await seedRule(env.client, { concept: cloud.id, points: 2 });
      const ana = await seedContact(env.client, { name: 'Ana' });
      await seedInteraction(env.client, { contactId: ana, occurredOn: new Date('2025-02-28T09:00:00Z') });
      await env.drain();
      await env.client.update(idr_interactionrule.entitySetName, rule, {
        [idr_interactionrule.columns.idr_points]: 3,
      });
      await env.drain();
      const lines: string[] = [];
      const deps = {
        env: {},
        logger: memoryLogger(),
        print: (l: string) => lines.push(l),
        clock: env.clock.now,
        client: env.client,
      };

      expect(await runRescoreCommand({ dryRun: true }, deps)).toBe(0);
      expect(await runRescoreCommand({ dryRun: false }, deps)).toBe(0);
      expect(await runRescoreCommand({ dryRun: false }, deps)).toBe(0);
      expect(lines).toEqual([
        'Replayed 1 interaction(s) of 1 contact(s); would change: 1 profile(s), 1 explanation(s), 0 contact primary interest(s), 0 account(s), list members +0 −0.',
        'Replayed 1 interaction(s) of 1 contact(s); changed: 1 profile(s), 1 explanation(s), 0 contact primary interest(s), 0 account(s), list members +0 −0.',
        'Replayed 1 interaction(s) of 1 contact(s); changed: 0 profile(s), 0 explanation(s), 0 contact primary interest(s), 0 account(s), list members +0 −0.',
      ]);
    } finally {
      env.close();
    }
  });

  it('needs credentials for a real environment and says which', async () => {
    const logger = memoryLogger();
    const code = await runRescoreCommand(
      { url: 'https://contoso.crm4.dynamics.com', dryRun: false },
      {
        env: {},
        logger,
        print: () => undefined,
        clock: () => new Date(),
        authDir: mkdtempSync(path.join(tmpdir(), 'ideario-auth-')),
      },
    );
    expect(code).toBe(1);
    expect(logger.lines.join('\n')).toContain('IDEARIO_TENANT_ID');
  });
});
