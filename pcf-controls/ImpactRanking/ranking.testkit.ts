/** Interest profile records as the dataset hands them to ImpactRanking, for tests. */
import { rankKey } from '../../domain/interest/decay';
import { contact } from '../../dataverse/generated/contact';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { type MockRecord } from '../../tools/harness/pcf-context';
import { type ConceptInfo, PRIMARY_INTEREST_COLUMN } from './ranking';

const P = idr_interestprofile.columns;
export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

export const CLOUD: ConceptInfo = {
  id: 'c0000000-0000-0000-0000-000000000001',
  name: 'Cloud migration',
  halfLifeDays: 30,
};
export const SECURITY: ConceptInfo = {
  id: 'c0000000-0000-0000-0000-000000000002',
  name: 'Zero trust security',
  halfLifeDays: 90,
};

export function conceptMap(...concepts: ConceptInfo[]): Map<string, ConceptInfo> {
  return new Map(concepts.map((c) => [c.id, c]));
}

export function conceptEntities(...concepts: ConceptInfo[]): Record<string, unknown>[] {
  const MC = idr_marketingconcept.columns;
  return concepts.map((c) => ({
    [MC.idr_marketingconceptid]: c.id,
    [MC.idr_name]: c.name,
    [MC.idr_halflifedays]: c.halfLifeDays,
  }));
}

export interface ProfileSpec {
  readonly id?: string;
  readonly contactId: string;
  readonly contactName: string;
  readonly concept: ConceptInfo;
  readonly accumulator: number;
  readonly landmark: number;
  readonly lastInteractionOn?: number;
  readonly inSegment?: boolean;
  readonly primaryInterest?: string;
}

let sequence = 0;

export function profileRecord(spec: ProfileSpec): MockRecord {
  sequence += 1;
  return {
    id: spec.id ?? `p${String(sequence).padStart(7, '0')}-0000-0000-0000-000000000000`,
    values: {
      [P.idr_name]: `${spec.contactName} · ${spec.concept.name}`,
      [P.idr_contact]: { id: { guid: spec.contactId }, name: spec.contactName, etn: contact.logicalName },
      [P.idr_concept]: {
        id: { guid: spec.concept.id },
        name: spec.concept.name,
        etn: idr_marketingconcept.logicalName,
      },
      [P.idr_accumulator]: spec.accumulator,
      [P.idr_landmarkon]: new Date(spec.landmark),
      // As the scorer stores it with the accumulator and landmark.
      [P.idr_rankkey]: rankKey(spec, spec.concept.halfLifeDays),
      [P.idr_lastinteractionon]:
        spec.lastInteractionOn === undefined ? null : new Date(spec.lastInteractionOn),
      [P.idr_insegment]: spec.inSegment ?? false,
      [PRIMARY_INTEREST_COLUMN]: spec.primaryInterest
        ? {
            id: { guid: 'c0000000-0000-0000-0000-0000000000ff' },
            name: spec.primaryInterest,
            etn: idr_marketingconcept.logicalName,
          }
        : null,
    },
  };
}

/** n contacts' profiles in one concept with distinct scores (contact i has accumulator n − i). */
export function manyProfiles(n: number, concept: ConceptInfo = CLOUD): MockRecord[] {
  return Array.from({ length: n }, (_, i) =>
    profileRecord({
      id: `a${String(i).padStart(7, '0')}-0000-0000-0000-000000000000`,
      contactId: `b${String(i).padStart(7, '0')}-0000-0000-0000-000000000000`,
      contactName: `Contact ${String(i).padStart(5, '0')}`,
      concept,
      accumulator: n - i,
      landmark: NOW - 10 * DAY,
      lastInteractionOn: NOW - 10 * DAY,
      inSegment: i % 2 === 0,
    }),
  );
}
