/**
 * The demo's triggered actions (`idr_trigger`), so the Triggers view is not empty after `npm start`
 * and the hourly job has something to do: an abandoned-cart email, a reinforcement call after a coupon
 * click and a birthday task for the owner. No segment trigger: the demo's segments are entered at load
 * time, and a welcome email to every member at the first job run is not what a user wants to see.
 * The cart email comes from a demo email template, in English and Spanish under one title, so a
 * Spanish contact gets the Spanish one. Fixed ids: loading again changes nothing.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { contact, idr_trigger, template, TriggerAction, TriggerKind } from '../../../dataverse/generated';

const T = idr_trigger.columns;
export const DEMO_TRIGGER_IDS = [
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f01',
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f02',
  '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f03',
] as const;

export const DEMO_TEMPLATE_IDS = {
  en: '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f11',
  es: '7e2a4d3b-6c8f-4d2e-8b1f-3a5c7d9e1f12',
} as const;

const TT = template.columns;
const CART_TEMPLATES: readonly EntityRecord[] = [
  {
    [TT.templateid]: DEMO_TEMPLATE_IDS.en,
    [TT.languagecode]: 1033,
    [TT.subject]: '{!contact:firstname;Hello}, you left something in your cart',
    [TT.body]: 'Hello {!contact:firstname;there}, your cart is saved: finish your order whenever you like.',
  },
  {
    [TT.templateid]: DEMO_TEMPLATE_IDS.es,
    [TT.languagecode]: 3082,
    [TT.subject]: '{!contact:firstname;Hola}, ha dejado algo en su carrito',
    [TT.body]: 'Hola {!contact:firstname;}, guardamos su carrito: termine su pedido cuando quiera.',
  },
];

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
  for (const record of CART_TEMPLATES) {
    const id = String(record[TT.templateid]);
    if (await client.retrieve(template.entitySetName, id, [TT.templateid])) continue;
    await client.create(template.entitySetName, {
      ...record,
      [TT.title]: 'Abandoned cart reminder',
      [TT.templatetypecode]: contact.logicalName,
      [TT.ispersonal]: false,
    });
  }
  const triggers: EntityRecord[] = [
    {
      [T.idr_name]: 'Abandoned cart: reminder email',
      [T.idr_kind]: TriggerKind.CartAbandoned,
      [T.idr_action]: TriggerAction.Email,
      [T.idr_hours]: 2,
      [`${T.idr_template}@odata.bind`]: `/${template.entitySetName}(${DEMO_TEMPLATE_IDS.en})`,
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
  let created = 0;
  for (const [i, record] of triggers.entries()) {
    const id = DEMO_TRIGGER_IDS[i];
    if (await client.retrieve(idr_trigger.entitySetName, id, [T.idr_triggerid])) continue;
    await client.create(idr_trigger.entitySetName, { [T.idr_triggerid]: id, ...record });
    created++;
  }
  return created;
}
