/**
 * The active concepts and rules, loaded with two queries and kept per organisation so that scoring an
 * event reads neither in the common path.
 *
 * Freshness: the rule-change handler calls `invalidate(org)` (a version bump), so this host instance
 * reloads on its next event. Other instances (Azure Functions scales out) do not see the bump; the TTL
 * (5 minutes by default) bounds how long they score with the previous rules. Concept changes do not
 * bump the version (their step is synchronous pre-validation, before the save commits), so they too
 * take effect within the TTL. Loads of one organisation are shared: a burst of events after the
 * cache expires queries Dataverse once.
 */
import type { DataverseClient } from '../../../dataverse/client';
import { idr_interactionrule, idr_marketingconcept } from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import { compileRules, InterestError, type RuleSet, validateConcept } from '../../../domain/interest';
import {
  CONCEPT_SELECT,
  type Concept,
  type ConceptRow,
  MC,
  RC,
  RULE_SELECT,
  type RuleRow,
  toConcept,
  toRule,
} from './records';

export interface InterestCatalog {
  readonly concepts: readonly Concept[];
  readonly conceptById: ReadonlyMap<string, Concept>;
  readonly rules: RuleSet;
}

export const DEFAULT_CACHE_TTL_MS = 5 * 60_000;

const ACTIVE = idr_marketingconcept.choices.statecode.Active;

/** Reads and validates the active concepts; a concept with unusable settings is left out and logged. */
export async function loadActiveConcepts(client: DataverseClient, logger: Logger): Promise<Concept[]> {
  const records = (await client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    select: CONCEPT_SELECT,
    filter: `${MC.statecode} eq ${ACTIVE}`,
  })) as ConceptRow[];
  const concepts: Concept[] = [];
  for (const record of records) {
    const concept = toConcept(record);
    try {
      validateConcept(concept);
      concepts.push(concept);
    } catch (error) {
      if (!(error instanceof InterestError)) throw error;
      logger.error(
        'An active marketing concept has unusable settings and is not scored until they are fixed.',
        {
          concept: concept.id,
          name: concept.name,
          error: error.message,
        },
      );
    }
  }
  return concepts;
}

/**
 * Reads and compiles the active interaction rules. One bad rule saved through the API must not stop
 * every interaction from being scored: it is left out of `use` ("scoring", "the rescore") and logged.
 */
export async function loadActiveRules(
  client: DataverseClient,
  logger: Logger,
  use: string,
): Promise<RuleSet> {
  const records = (await client.retrieveMultiple(idr_interactionrule.entitySetName, {
    select: RULE_SELECT,
    filter: `${RC.statecode} eq ${idr_interactionrule.choices.statecode.Active}`,
  })) as RuleRow[];
  const rules = compileRules(records.map(toRule), { skipInvalid: true });
  for (const { rule, error } of rules.invalid) {
    logger.warn(`An active interaction rule is invalid and is left out of ${use}.`, {
      rule: rule.id,
      name: rule.name,
      error: error.message,
    });
  }
  return rules;
}

export async function loadCatalog(client: DataverseClient, logger: Logger): Promise<InterestCatalog> {
  const [concepts, rules] = await Promise.all([
    loadActiveConcepts(client, logger),
    loadActiveRules(client, logger, 'scoring'),
  ]);
  return { concepts, conceptById: new Map(concepts.map((c) => [c.id, c])), rules };
}

/** Rule and concept names for explanations (`idr_applieddeltas`). */
export function catalogNames(catalog: InterestCatalog): {
  rule: (id: string) => string | undefined;
  concept: (id: string) => string | undefined;
} {
  const rules = new Map(catalog.rules.rules.map(({ rule }) => [rule.id, rule.name]));
  return { rule: (id) => rules.get(id), concept: (id) => catalog.conceptById.get(id)?.name };
}

interface Entry {
  readonly version: number;
  readonly loadedAt: number;
  readonly catalog: Promise<InterestCatalog>;
}

export class CatalogCache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, number>();

  constructor(readonly ttlMs: number = DEFAULT_CACHE_TTL_MS) {}

  /** Rules (or concepts) of the organisation changed: the next `get` reloads. */
  invalidate(organization: string): void {
    this.versions.set(organization, (this.versions.get(organization) ?? 0) + 1);
  }

  /** Forgets everything (tests that reuse an organisation id with fresh data). */
  clear(): void {
    this.entries.clear();
    this.versions.clear();
  }

  version(organization: string): number {
    return this.versions.get(organization) ?? 0;
  }

  get(organization: string, now: number, load: () => Promise<InterestCatalog>): Promise<InterestCatalog> {
    const version = this.version(organization);
    const entry = this.entries.get(organization);
    if (entry && entry.version === version && now - entry.loadedAt < this.ttlMs && now >= entry.loadedAt) {
      return entry.catalog;
    }
    const catalog = load();
    const fresh: Entry = { version, loadedAt: now, catalog };
    this.entries.set(organization, fresh);
    // A failed load must not be served to later events.
    catalog.catch(() => {
      if (this.entries.get(organization) === fresh) this.entries.delete(organization);
    });
    return catalog;
  }
}

/** The cache every handler of this host shares unless a test passes its own. */
export const sharedCatalogCache = new CatalogCache();
