/**
 * The demo's triggered actions (`idr_trigger`), so the Triggers view is not empty after `npm start`
 * and the hourly job has something to do: an abandoned-cart email, a reinforcement call after a coupon
 * click, a birthday task for the owner and, for the first concept with a segment, a welcome email on
 * entering it. Fixed ids: loading again changes nothing.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { idr_marketingconcept, idr_trigger, TriggerAction, TriggerKind } from '../../../dataverse/generated';
import { bind, lookupValue, recordUrl, text } from '../../../plugins/handlers/interests/records';

const T = idr_trigger.columns;
export const DEMO_TRIGGER_IDS = [
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f01',
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f02',
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f03',
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f04',
] as const;

function texts(subject: [string, string], body: [string, string]): EntityRecord {
  return {
    [T.idr_subject]: subject[0],
    [T.idr_subjectes]: subject[1],
    [T.idr_body]: body[0],
    [T.idr_bodyes]: body[1],
  };
}

/** Creates the demo triggers that do not exist yet; returns how many it created. */
export async function loadTriggerDemo(client: DataverseClient): Promise<number> {
  const M = idr_marketingconcept.columns;
  const [concept] = await client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    filter: `${M.statecode} eq ${idr_marketingconcept.choices.statecode.Active} and ${lookupValue(M.idr_marketinglist)} ne null`,
    select: [M.idr_marketingconceptid, M.idr_name],
    orderBy: [`${M.idr_code} asc`],
    top: 1,
  });
  const triggers: EntityRecord[] = [
    {
      [T.idr_name]: 'Abandoned cart: reminder email',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
      ...texts(
        ['You left something in your cart', 'Ha dejado algo en su carrito'],
        [
          'Your cart is saved: finish your order whenever you like.',
          'Guardamos su carrito: termine su pedido cuando quiera.',
        ],
      ),
    },
    {
      [T.idr_name]: 'Coupon click: reinforcement call',
      [T.idr_kind]: TriggerKind.RespondedToACouponOrEmail,
      [T.idr_action]: TriggerAction.PhoneCallForTheOwner,
      ...texts(
        ['Call: the contact used a coupon', 'Llamar: el contacto usó un cupón'],
        ['Offer help to complete the purchase.', 'Ofrezca ayuda para completar la compra.'],
      ),
    },
    {
      [T.idr_name]: 'Birthday: send a card',
      [T.idr_kind]: TriggerKind.BirthdayInNDays,
      [T.idr_action]: TriggerAction.TaskForTheOwner,
      [T.idr_days]: 3,
      ...texts(['Birthday in 3 days: send a card', 'Cumpleaños en 3 días: enviar una tarjeta'], ['', '']),
    },
  ];
  const conceptId = concept ? text(concept, M.idr_marketingconceptid) : null;
  if (concept && conceptId)
    triggers.push({
      [T.idr_name]: `Enters ${text(concept, M.idr_name) ?? ''}: welcome email`.slice(0, 200),
      [T.idr_kind]: TriggerKind.EntersASegment,
      [T.idr_action]: TriggerAction.Email,
      [bind(T.idr_concept)]: recordUrl(idr_marketingconcept.entitySetName, conceptId),
      ...texts(
        ['Ideas you may like', 'Ideas que le pueden interesar'],
        [
          'A selection chosen for what you have been looking at.',
          'Una selección según lo que ha estado consultando.',
        ],
      ),
    });
  let created = 0;
  for (const [i, record] of triggers.entries()) {
    const id = DEMO_TRIGGER_IDS[i];
    if (await client.retrieve(idr_trigger.entitySetName, id, [T.idr_triggerid])) continue;
    await client.create(idr_trigger.entitySetName, { [T.idr_triggerid]: id, ...record });
    created++;
  }
  return created;
}
