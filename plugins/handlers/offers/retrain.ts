/**
 * `ideario retrain`: retrains each active offer's propensity model on the interaction history
 * (domain/offer's retrainOffer) and, for every model that beats ordering by interest alone on the
 * held-out later period, writes each active contact's score for the offer (`idr_offerscore`, upserted
 * by contact + offer) in changesets of a thousand: a few reads for the whole run and one request per
 * thousand scores, so far under 0.01 requests per contact scored. A refused model leaves the previous
 * scores as they are; every offer's quality report is stored on the offer (`idr_modelquality`).
 */
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import {
  contact,
  idr_interaction,
  idr_offer,
  idr_offerconcept,
  type contactRecord,
  type idr_offerconceptRecord,
  type idr_offerWrite,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import {
  type ContactHistory,
  describeReport,
  type HistoryEvent,
  OfferError,
  type Offer,
  type QualityReport,
  retrainOffer,
  scoreContacts,
} from '../../../domain/offer';
import { UnknownOfferError } from '../../../domain/campaign';
import { loadActiveConcepts } from '../interests/catalog';
import { idValue, lookupValue, textValue, truncate } from '../interests/records';
import {
  HISTORY_SELECT,
  type HistoryRow,
  OC,
  OCC,
  OFFER_SELECT,
  type OfferRow,
  scoreUpsert,
  TIER_OF_CHOICE,
  toHistoryEvent,
  toOffer,
} from './records';

export interface RetrainDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger: Logger;
}

export interface RetrainOptions {
  /** Measure and report, write nothing. */
  readonly dryRun?: boolean;
  /** Only the offer with this code. */
  readonly offerCode?: string;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export interface OfferRetrainOutcome {
  readonly offer: string;
  /** Null when there was not enough history to train or measure. */
  readonly report: QualityReport | null;
  readonly message: string;
  readonly scoresWritten: number;
}

export interface RetrainSummary {
  readonly contacts: number;
  readonly interactions: number;
  readonly offers: readonly OfferRetrainOutcome[];
  /** Web API requests the writes took (the reads are a handful per run). */
  readonly writeRequests: number;
}

/** Operations per changeset: the Web API's `$batch` limit. */
const MAX_BATCH = 1000;
const QUALITY_MAX = 4000;
const CC = contact.columns;

async function readHistory(client: DataverseClient) {
  const [contactRecords, interactionRecords] = await Promise.all([
    client.retrieveMultiple(contact.entitySetName, {
      select: [CC.contactid, CC.fullname, CC.idr_valuetier],
      filter: `${CC.statecode} eq ${contact.choices.statecode.Active}`,
    }),
    client.retrieveMultiple(idr_interaction.entitySetName, {
      select: HISTORY_SELECT,
      filter: `${lookupValue(idr_interaction.columns.idr_contact)} ne null`,
    }),
  ]);
  const events = new Map<string, HistoryEvent[]>();
  for (const record of interactionRecords as HistoryRow[]) {
    const read = toHistoryEvent(record);
    if (!read) continue;
    let list = events.get(read.contactId);
    if (!list) events.set(read.contactId, (list = []));
    list.push(read.event);
  }
  const names = new Map<string, string>();
  const histories: ContactHistory[] = [];
  for (const record of contactRecords as contactRecord[]) {
    const id = idValue(record.contactid);
    if (!id) continue;
    names.set(id, textValue(record.fullname) ?? id);
    histories.push({
      contactId: id,
      tier: TIER_OF_CHOICE.get(record.idr_valuetier ?? -1) ?? null,
      events: (events.get(id) ?? []).sort((a, b) => a.occurredOn - b.occurredOn),
    });
  }
  return { histories, names, interactions: interactionRecords.length };
}

export async function loadActiveOffers(client: DataverseClient): Promise<Offer[]> {
  const [offerRecords, links] = await Promise.all([
    client.retrieveMultiple(idr_offer.entitySetName, {
      select: OFFER_SELECT,
      filter: `${OC.statecode} eq ${idr_offer.choices.statecode.Active}`,
      orderBy: [`${OC.idr_code} asc`],
    }),
    client.retrieveMultiple(idr_offerconcept.entitySetName, {
      select: [lookupValue(OCC.idr_offer), lookupValue(OCC.idr_concept)],
      filter: `${OCC.statecode} eq ${idr_offerconcept.choices.statecode.Active}`,
    }),
  ]);
  const concepts = new Map<string, string[]>();
  for (const link of links as idr_offerconceptRecord[]) {
    const offerId = idValue(link._idr_offer_value);
    const conceptId = idValue(link._idr_concept_value);
    if (offerId && conceptId) concepts.set(offerId, [...(concepts.get(offerId) ?? []), conceptId]);
  }
  return (offerRecords as OfferRow[]).map((record) =>
    toOffer(record, concepts.get(idValue(record.idr_offerid) ?? '') ?? []),
  );
}

export async function retrainAll(deps: RetrainDeps, options: RetrainOptions = {}): Promise<RetrainSummary> {
  const { client, logger } = deps;
  const now = deps.clock().getTime();
  const [concepts, allOffers, history] = await Promise.all([
    loadActiveConcepts(client, logger),
    loadActiveOffers(client),
    readHistory(client),
  ]);
  const wanted = options.offerCode?.trim().toLowerCase();
  const offers = wanted ? allOffers.filter((o) => o.code.toLowerCase() === wanted) : allOffers;
  // A code that names no active offer is a typo to tell, not "no offer to retrain".
  if (wanted && offers.length === 0)
    throw new UnknownOfferError(options.offerCode ?? '', allOffers.map((o) => o.code).sort());
  const halfLives = new Map(concepts.map((c) => [c.id, c.halfLifeDays]));
  const total = offers.length * history.histories.length;
  let done = 0;
  let writeRequests = 0;
  const outcomes: OfferRetrainOutcome[] = [];
  for (const offer of offers) {
    let result;
    try {
      result = retrainOffer({ offer, histories: history.histories, halfLives, now });
    } catch (error) {
      // an offer that cannot be trained (no concepts, no purchases) is reported; the others go on
      if (!(error instanceof OfferError)) throw error;
      outcomes.push({ offer: offer.code, report: null, message: error.message, scoresWritten: 0 });
      if (!options.dryRun) {
        // the marketing user reads on the offer why it has no model
        await client.update(idr_offer.entitySetName, offer.id, {
          idr_modelquality: truncate(error.message, QUALITY_MAX),
        } satisfies idr_offerWrite);
        writeRequests++;
      }
      done += history.histories.length;
      options.onProgress?.({ done, total });
      continue;
    }
    const { report, model, version } = result;
    let written = 0;
    // the offer's own update rides in the first changeset of its scores: one request fewer per offer
    const quality: idr_offerWrite = { idr_modelquality: truncate(describeReport(report), QUALITY_MAX) };
    if (model) quality.idr_modelversion = version;
    const offerUpdate: BatchOperation = {
      kind: 'update',
      entitySet: idr_offer.entitySetName,
      key: offer.id,
      record: quality,
    };
    if (model && !options.dryRun) {
      const scores = scoreContacts(model, offer, history.histories, halfLives, now);
      const operations: BatchOperation[] = [
        offerUpdate,
        ...scores.map((score) => scoreUpsert(offer, score, version, now, history.names.get(score.contactId))),
      ];
      for (let i = 0; i < operations.length; i += MAX_BATCH) {
        const chunk = operations.slice(i, i + MAX_BATCH);
        await client.executeBatch(chunk, { atomic: true });
        writeRequests++;
        const scored = i === 0 ? chunk.length - 1 : chunk.length;
        written += scored;
        done += scored;
        options.onProgress?.({ done, total });
      }
    } else {
      if (!options.dryRun) {
        await client.executeBatch([offerUpdate], { atomic: true });
        writeRequests++;
      }
      done += history.histories.length;
      options.onProgress?.({ done, total });
    }
    logger.info('Offer retrained.', { offer: offer.code, published: report.published, scores: written });
    outcomes.push({ offer: offer.code, report, message: describeReport(report), scoresWritten: written });
  }
  return {
    contacts: history.histories.length,
    interactions: history.interactions,
    offers: outcomes,
    writeRequests,
  };
}
