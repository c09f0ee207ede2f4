import { idr_trigger, TriggerKind } from '../../../dataverse/generated';
import { readTriggers } from '../../../plugins/handlers/campaigns/triggers';
import { orgPerTest } from '../../../plugins/handlers/interests/test-org.testkit';
import { DEMO_TEMPLATE_IDS, loadTriggerDemo } from './triggers';

const env = orgPerTest({ start: new Date('2026-03-20T08:00:00Z') });

describe('the demo triggers', () => {
  it('are three valid triggers, loaded once', async () => {
    expect(await loadTriggerDemo(env.client)).toBe(3);
    expect(await loadTriggerDemo(env.client)).toBe(0);
    const invalid: string[] = [];
    const triggers = await readTriggers(env.client, invalid);
    expect(invalid).toEqual([]);
    expect(triggers.map((t) => t.kind).sort()).toEqual(['birthday', 'cart-abandoned', 'response']);
    // The cart email uses the demo template: the Spanish one of the same title for Spanish contacts.
    expect(triggers.find((t) => t.kind === 'cart-abandoned')?.template).toEqual(DEMO_TEMPLATE_IDS);
    const rows = await env.client.retrieveMultiple(idr_trigger.entitySetName, {
      filter: `${idr_trigger.columns.idr_kind} eq ${TriggerKind.BirthdayInNDays}`,
      select: [idr_trigger.columns.idr_subjectes],
    });
    expect(rows[0]?.[idr_trigger.columns.idr_subjectes]).toBe('Cumpleaños en 3 días: enviar una tarjeta');
  });
});
