/**
 * The demo's offers: for every third concept of each catalogue, an offer serving it and the next
 * concept, with its value, validity, sales arguments (English and Spanish) and a 90-day purchase
 * window; the demo's orders of a served concept are orders of its offer, so `ideario retrain` has a
 * history to learn from. Ids are fixed, not drawn: the rest of the demo's seeded data stays as it was.
 */
import type { BatchOperation } from '../../../dataverse/client';
import { idr_marketingconcept, idr_offer, idr_offerconcept, OfferKind } from '../../../dataverse/generated';
import type { CatalogueSpec, ConceptSpec } from './catalog';

const DAY = 86_400_000;
export const DEMO_OFFER_WINDOW_DAYS = 90;

export interface DemoOffers {
  readonly offers: BatchOperation[];
  /** The concepts each offer serves (`idr_offerconcept`), written after the offers. */
  readonly links: BatchOperation[];
  /** The offer an order of this concept buys, if one serves it. */
  offerFor(conceptId: string): string | undefined;
}

function offerId(n: number): string {
  return `0ffe0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function planDemoOffers(
  catalogues: readonly CatalogueSpec[],
  conceptIds: ReadonlyMap<ConceptSpec, string>,
  now: Date,
): DemoOffers {
  const O = idr_offer.columns;
  const L = idr_offerconcept.columns;
  const operations: BatchOperation[] = [];
  const links: BatchOperation[] = [];
  const byConcept = new Map<string, string>();
  let n = 0;
  for (const catalogue of catalogues) {
    const hotel = catalogue.key === 'hotels';
    for (let k = 0; k + 1 < catalogue.concepts.length; k += 3) {
      const served = [catalogue.concepts[k], catalogue.concepts[k + 1]].filter(
        (c): c is ConceptSpec => c !== undefined,
      );
      const [first, second] = served;
      if (!first || !second) continue;
      const id = offerId(++n);
      // one offer in eight ended last month: the card shows only what is valid today
      const expired = n % 8 === 0;
      operations.push({
        kind: 'create',
        entitySet: idr_offer.entitySetName,
        record: {
          [O.idr_offerid]: id,
          [O.idr_name]: hotel ? `${first.name} stay` : `${first.name} assessment`,
          [O.idr_code]: `${hotel ? 'HTL' : 'TEC'}-OFFER-${String(n).padStart(2, '0')}`,
          [O.idr_kind]: hotel ? OfferKind.Product : OfferKind.Service,
          [O.idr_value]: hotel ? 600 + 150 * (k % 5) : 1500 + 250 * (k % 5),
          [O.idr_priority]: k % 4,
          [O.idr_labeldays]: DEMO_OFFER_WINDOW_DAYS,
          [O.idr_validfrom]: isoDay(now.getTime() - 300 * DAY),
          [O.idr_validto]: isoDay(now.getTime() + (expired ? -30 : 120) * DAY),
          [O.idr_arguments]:
            `For customers who follow ${first.name.toLowerCase()} and ${second.name.toLowerCase()}: ` +
            (hotel
              ? 'a package built around what they already look at, with flexible dates and a guaranteed rate.'
              : 'a fixed-price, two-week engagement that ends with a plan they can act on.'),
          [O.idr_argumentses]:
            `Para clientes que siguen ${first.name.toLowerCase()} y ${second.name.toLowerCase()}: ` +
            (hotel
              ? 'un paquete pensado en lo que ya consultan, con fechas flexibles y tarifa garantizada.'
              : 'un encargo de dos semanas a precio cerrado que termina con un plan que pueden ejecutar.'),
        },
      });
      for (const concept of served) {
        const conceptId = conceptIds.get(concept);
        if (!conceptId) continue;
        if (!byConcept.has(conceptId)) byConcept.set(conceptId, id);
        links.push({
          kind: 'create',
          entitySet: idr_offerconcept.entitySetName,
          record: {
            [L.idr_name]: `${concept.name}`.slice(0, 200),
            [`${L.idr_offer}@odata.bind`]: `/${idr_offer.entitySetName}(${id})`,
            [`${L.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${conceptId})`,
          },
        });
      }
    }
  }
  return { offers: operations, links, offerFor: (conceptId) => byConcept.get(conceptId) };
}
