import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import { idr_hotelroomtype, idr_roomblock, opportunity, QuotationPhase } from '../../../dataverse/generated';
import { occupancyPlan, parseDateOnly } from '../../../domain/quotation';
import { seededRandom } from '../../../domain/random';
import { planDemo } from './plan';

const NOW = new Date('2025-06-10T09:30:00Z');
const T = idr_hotelroomtype.columns;
const B = idr_roomblock.columns;

function creates(operations: readonly BatchOperation[], entitySet: string): EntityRecord[] {
  return operations.flatMap((o) => (o.kind === 'create' && o.entitySet === entitySet ? [o.record] : []));
}
const idIn = (bound: unknown): string => /\(([^)]+)\)/.exec(String(bound))?.[1] ?? '';

describe('the demo occupancy plan', () => {
  const plan = planDemo({ random: seededRandom(7), now: NOW, size: 'standard' });
  const all = plan.steps.flatMap((s) => s.operations);
  const types = creates(all, idr_hotelroomtype.entitySetName);
  const blocks = creates(all, idr_roomblock.entitySetName);
  const quotations = new Map(
    creates(all, opportunity.entitySetName).map((q) => [String(q[opportunity.columns.opportunityid]), q]),
  );
  const occupancy = occupancyPlan(
    types.map((t) => ({
      roomTypeId: String(t[T.idr_hotelroomtypeid]),
      hotelId: idIn(t[`${T.idr_hotel}@odata.bind`]),
      name: String(t[T.idr_name]),
      rooms: Number(t[T.idr_rooms]),
    })),
    blocks.map((b) => ({
      roomTypeId: idIn(b[`${B.idr_roomtype}@odata.bind`]),
      night: parseDateOnly(String(b[B.idr_night])),
      rooms: Number(b[B.idr_rooms]),
    })),
  );

  it('blocks rooms for the live quotations only, on their nights', () => {
    expect(blocks.length).toBeGreaterThan(100);
    for (const block of blocks) {
      const q = quotations.get(idIn(block[`${B.idr_opportunity}@odata.bind`]));
      expect(q).toBeDefined();
      expect([QuotationPhase.Lost, QuotationPhase.Cancelled, QuotationPhase.Settled]).not.toContain(
        q?.[opportunity.columns.idr_phase],
      );
      const night = String(block[B.idr_night]);
      expect(night >= String(q?.[opportunity.columns.idr_arrivaldate])).toBe(true);
      expect(night < String(q?.[opportunity.columns.idr_departuredate])).toBe(true);
    }
  });

  it('never overbooks, and shows one night close to full', () => {
    expect(occupancy.filter((c) => c.overbooked)).toEqual([]);
    const full = occupancy.filter((c) => c.nearFull);
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ name: 'Double', percent: 95 });
  });
});
