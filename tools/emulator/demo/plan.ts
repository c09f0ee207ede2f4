/**
 * The demo data as a plan: every record to write, in dependency order, as Web API operations with
 * their ids drawn from the seeded generator. No I/O: the same seed, size and clock give the same plan,
 * which is what makes loading resumable (a second run finds its own ids and skips them).
 *
 * The organisation holds two businesses' data: a technology consultancy's clients (companies and
 * their staff) and a hotel chain's guests and travel agencies with their group quotations. Interactions
 * arrive as an external system registers them (`idr_source` + `idr_externalid`), spread over the last
 * year with more recent events than old ones, each made from a rule's sample so it scores.
 */
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import {
  account,
  annotation,
  campaign,
  contact,
  idr_interaction,
  idr_interactionrule,
  idr_marketingconcept,
  idr_offer,
  idr_quotationpolicy,
  list,
  opportunity,
  EventType,
  Language,
  MealPlan,
  QuotationPhase,
  HandoffStatus,
  type EventTypeValue,
  type QuotationPhaseValue,
  idr_phasehistory,
} from '../../../dataverse/generated';
import {
  computeQuotationAmounts,
  DEFAULT_POLICY,
  PHASE_STEPS,
  type QuotationPhase as DomainPhase,
} from '../../../domain/quotation';
import { phaseChangeRow } from '../../../plugins/handlers/groupquotes/phasehistory';
import { asRow, toPhaseFacts } from '../../../plugins/handlers/groupquotes/record';
import { CATALOGUES, type CatalogueSpec, type ConceptSpec, type RuleSpec } from './catalog';
import { agencyNames, city, companyNames, emailLocal, personName, type PersonName } from './names';
import { planDemoOffers } from './offers';
import { planDemoRooms } from './rooms';
import { Draw } from '../../../domain/random';

export type DemoSize = 'small' | 'standard' | 'large';

export interface SizeSpec {
  readonly companies: number;
  readonly employees: number;
  readonly guests: number;
  readonly agencies: number;
  readonly agentsPerAgency: number;
  readonly interactions: number;
  readonly quotationsPerPhase: number;
}

export const DEMO_SIZES: Readonly<Record<DemoSize, SizeSpec>> = {
  small: {
    companies: 6,
    employees: 18,
    guests: 12,
    agencies: 3,
    agentsPerAgency: 2,
    interactions: 150,
    quotationsPerPhase: 1,
  },
  standard: {
    companies: 60,
    employees: 200,
    guests: 110,
    agencies: 15,
    agentsPerAgency: 3,
    interactions: 3000,
    quotationsPerPhase: 6,
  },
  large: {
    companies: 150,
    employees: 600,
    guests: 400,
    agencies: 20,
    agentsPerAgency: 4,
    interactions: 15000,
    quotationsPerPhase: 20,
  },
};

/** The note written last: its presence means the demo data is complete. */
export const DEMO_MARKER_ID = '1dea2105-0de3-4da7-a000-00000000de30';
export const DEMO_MARKER_SUBJECT = 'Ideario demo data';

export interface PlanStep {
  /** What a person watching the progress reads. */
  readonly label: string;
  readonly operations: readonly BatchOperation[];
}

export interface DemoPlan {
  readonly steps: readonly PlanStep[];
  readonly counts: Readonly<Record<string, number>>;
}

export interface PlanOptions {
  readonly random: () => number;
  readonly now: Date;
  readonly size: DemoSize;
}

const DAY = 86_400_000;

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY);
}

function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const url = (set: string, id: string) => `/${set}(${id})`;
const bind = (navigation: string) => `${navigation}@odata.bind`;

function create(entitySet: string, record: EntityRecord): BatchOperation {
  return { kind: 'create', entitySet, record };
}

interface Person {
  readonly id: string;
  readonly name: PersonName;
  readonly catalogue: CatalogueSpec['key'];
  /** The concepts this person really cares about: most of their events are about these. */
  readonly favourites: readonly ConceptSpec[];
  /** How much more often than average this person does something. */
  readonly activity: number;
}

/** How often each kind of event happens, relative to each other. */
const EVENT_FREQUENCY: readonly (readonly [EventTypeValue, number])[] = [
  [EventType.WebVisit, 35],
  [EventType.EmailOpen, 20],
  [EventType.EmailClick, 18],
  [EventType.FormSubmission, 5],
  [EventType.SocialMention, 6],
  [EventType.EventAttended, 3],
  [EventType.OrderConfirmed, 5],
  [EventType.CaseOpened, 4],
  [EventType.Complaint, 2],
];

const SOURCES: Readonly<Record<number, string>> = {
  [EventType.WebVisit]: 'web-analytics',
  [EventType.EmailOpen]: 'email-marketing',
  [EventType.EmailClick]: 'email-marketing',
  [EventType.FormSubmission]: 'web-forms',
  [EventType.SocialMention]: 'social-listening',
  [EventType.EventAttended]: 'event-platform',
  [EventType.OrderConfirmed]: 'erp',
  [EventType.CaseOpened]: 'helpdesk',
  [EventType.Complaint]: 'helpdesk',
};

const EVENT_LABELS: Readonly<Record<number, string>> = {
  [EventType.WebVisit]: 'Web visit',
  [EventType.EmailOpen]: 'Newsletter opened',
  [EventType.EmailClick]: 'Newsletter click',
  [EventType.FormSubmission]: 'Form submitted',
  [EventType.SocialMention]: 'Social mention',
  [EventType.EventAttended]: 'Event attended',
  [EventType.OrderConfirmed]: 'Order confirmed',
  [EventType.CaseOpened]: 'Case opened',
  [EventType.Complaint]: 'Complaint',
};

const JOB_TITLES = [
  'CIO',
  'IT Manager',
  'Head of Data',
  'CTO',
  'Operations Director',
  'Marketing Manager',
  'CISO',
  'Project Manager',
  'Developer',
  'Analyst',
];
const AGENT_TITLES = ['Group sales agent', 'MICE coordinator', 'Travel consultant', 'Account manager'];
const GROUP_KINDS = [
  'Incentive trip',
  'Congress delegation',
  'Wedding party',
  'School trip',
  'Sports team',
  'Corporate retreat',
  'Choir tour',
  'Seniors tour',
];
/** Why a group went elsewhere (idr_lostreason), as salespeople write it. */
const LOST_REASONS = [
  'The group chose a hotel nearer the venue',
  'Price: another hotel quoted 12% less',
  'The trip was postponed to next year',
  'No answer from the agency after the option expired',
] as const;

const MEAL_PLANS = [
  MealPlan.RoomOnly,
  MealPlan.BedAndBreakfast,
  MealPlan.HalfBoard,
  MealPlan.FullBoard,
  MealPlan.AllInclusive,
];

export function planDemo(options: PlanOptions): DemoPlan {
  const draw = new Draw(options.random);
  const size = DEMO_SIZES[options.size];
  const now = options.now;
  const today = startOfDay(now);
  const steps: PlanStep[] = [];
  const counts: Record<string, number> = {};
  const add = (label: string, key: string, operations: BatchOperation[]) => {
    steps.push({ label, operations });
    counts[key] = (counts[key] ?? 0) + operations.length;
  };

  // ── quotation policy ─────────────────────────────────────────────────────────────────────────
  const QP = idr_quotationpolicy.columns;
  const policyId = draw.guid();
  const policy = DEFAULT_POLICY;
  add('Quotation policy', 'policies', [
    create(idr_quotationpolicy.entitySetName, {
      [QP.idr_quotationpolicyid]: policyId,
      [QP.idr_name]: 'Hoteles Brisa standard groups policy',
      [QP.idr_isdefault]: true,
      [QP.idr_confirmationchaserdays]: policy.confirmationChaserDays,
      [QP.idr_roominglistcalldays]: policy.roomingListCallDays,
      [QP.idr_roominglistduedays]: policy.roomingListDueDays,
      [QP.idr_optiondays]: policy.optionDays,
      [QP.idr_depositdueafterconfirmdays]: policy.depositDueAfterConfirmDays,
      [QP.idr_depositreminderdays]: policy.depositReminderDays,
      [QP.idr_cutoffdays]: policy.cutoffDays,
      [QP.idr_balanceduedays]: policy.balanceDueDays,
      [QP.idr_defaultdepositpercent]: policy.defaultDepositPercent,
      [QP.idr_childpricepercent]: 50,
    }),
  ]);

  // ── catalogues: campaigns, segment lists, concepts, rules ────────────────────────────────────
  const L = list.columns;
  const CA = campaign.columns;
  const MC = idr_marketingconcept.columns;
  const RC = idr_interactionrule.columns;
  const campaignIds = new Map<string, string>();
  const conceptIds = new Map<ConceptSpec, string>();
  const lists: BatchOperation[] = [];
  const campaigns: BatchOperation[] = [];
  const concepts: BatchOperation[] = [];
  const rules: BatchOperation[] = [];
  for (const catalogue of CATALOGUES) {
    for (const spec of catalogue.campaigns) {
      if (campaignIds.has(spec.name)) continue;
      const id = draw.guid();
      campaignIds.set(spec.name, id);
      const start = addDays(today, -draw.int(30, 330));
      campaigns.push(
        create(campaign.entitySetName, {
          [CA.campaignid]: id,
          [CA.name]: spec.name,
          [CA.codename]: `CMP-${String(campaignIds.size).padStart(4, '0')}`,
          [CA.typecode]: spec.event
            ? campaign.choices.typecode.Event
            : campaign.choices.typecode.DirectMarketing,
          [CA.proposedstart]: start.toISOString(),
          [CA.proposedend]: addDays(start, spec.event ? 1 : 90).toISOString(),
          [CA.description]: `${catalogue.organisation} campaign.`,
        }),
      );
    }
    for (const concept of catalogue.concepts) {
      const listId = draw.guid();
      const conceptId = draw.guid();
      conceptIds.set(concept, conceptId);
      lists.push(
        create(list.entitySetName, {
          [L.listid]: listId,
          [L.listname]: `Segment: ${concept.name}`,
          [L.createdfromcode]: list.choices.createdfromcode.Contact,
          [L.type]: false,
          [L.purpose]: `Contacts whose interest in ${concept.name.toLowerCase()} is above the concept's threshold (${catalogue.organisation}).`,
          [L.source]: 'Ideario',
        }),
      );
      concepts.push(
        create(idr_marketingconcept.entitySetName, {
          [MC.idr_marketingconceptid]: conceptId,
          [MC.idr_name]: concept.name,
          [MC.idr_code]: concept.code,
          [MC.idr_conceptgroup]: `${catalogue.organisation} · ${concept.group}`,
          [MC.idr_description]: concept.description,
          [MC.idr_halflifedays]: concept.halfLifeDays,
          [MC.idr_enterthreshold]: concept.enter,
          [MC.idr_exitthreshold]: concept.exit,
          [bind(MC.idr_marketinglist)]: url(list.entitySetName, listId),
        }),
      );
      for (const rule of concept.rules) {
        const record: EntityRecord = {
          [RC.idr_interactionruleid]: draw.guid(),
          [RC.idr_name]: rule.name,
          [RC.idr_eventtype]: rule.eventType,
          [RC.idr_points]: rule.points,
          [RC.idr_repeatable]: rule.repeatable,
          [bind(RC.idr_concept)]: url(idr_marketingconcept.entitySetName, conceptId),
        };
        if (rule.match) record[RC.idr_match] = rule.match;
        if (rule.dailyCap !== undefined) record[RC.idr_dailycap] = rule.dailyCap;
        rules.push(create(idr_interactionrule.entitySetName, record));
      }
    }
  }
  add('Campaigns', 'campaigns', campaigns);
  add('Segment marketing lists', 'lists', lists);
  add('Marketing concepts', 'concepts', concepts);
  add('Interaction rules', 'rules', rules);

  // ── accounts and contacts ────────────────────────────────────────────────────────────────────
  const A = account.columns;
  const C = contact.columns;
  const consultancy = CATALOGUES.find((c) => c.key === 'consultancy') ?? CATALOGUES[0];
  const hotels = CATALOGUES.find((c) => c.key === 'hotels') ?? CATALOGUES[1];
  if (!consultancy || !hotels) throw new RangeError('The demo needs both catalogues.');
  const accounts: BatchOperation[] = [];
  const companies: { id: string; domain: string; spanish: boolean; favourites: ConceptSpec[] }[] = [];
  for (const company of companyNames(draw, size.companies)) {
    const id = draw.guid();
    const domain = `${
      company.name
        .split(' ')[0]
        ?.normalize('NFD')
        .replace(/[^A-Za-z]/g, '')
        .toLowerCase() ?? 'company'
    }${companies.length + 1}.example`;
    const place = city(draw, company.spanish);
    // A company's people share part of its agenda: the practice areas it is buying into.
    companies.push({
      id,
      domain,
      spanish: company.spanish,
      favourites: draw.sample(consultancy.concepts, 3),
    });
    accounts.push(
      create(account.entitySetName, {
        [A.accountid]: id,
        [A.name]: company.name,
        [A.accountnumber]: `CL-${String(companies.length).padStart(5, '0')}`,
        [A.customertypecode]: draw.chance(0.7)
          ? account.choices.customertypecode.Customer
          : account.choices.customertypecode.Prospect,
        [A.numberofemployees]: draw.pick([25, 60, 120, 250, 500, 1200, 4000]),
        [A.revenue]: draw.int(2, 400) * 250_000,
        [A.address1_city]: place.city,
        [A.address1_country]: place.country,
        [A.websiteurl]: `https://www.${domain}`,
        [A.telephone1]: company.spanish
          ? `+34 9${draw.int(10, 99)} ${draw.int(100, 999)} ${draw.int(100, 999)}`
          : `+44 20 ${draw.int(1000, 9999)} ${draw.int(1000, 9999)}`,
        [A.donotbulkemail]: draw.chance(0.1),
      }),
    );
  }
  const agencies: { id: string; name: string; spanish: boolean }[] = [];
  for (const name of agencyNames(size.agencies)) {
    const id = draw.guid();
    const spanish = !/Travel|Tours|Incentives|DMC|MICE|Group|Lights|Ivy|Compass|Horizon/.test(name);
    agencies.push({ id, name, spanish });
    const place = city(draw, spanish);
    accounts.push(
      create(account.entitySetName, {
        [A.accountid]: id,
        [A.name]: name,
        [A.accountnumber]: `AG-${String(agencies.length).padStart(4, '0')}`,
        [A.customertypecode]: account.choices.customertypecode.Reseller,
        [A.address1_city]: place.city,
        [A.address1_country]: place.country,
        [A.emailaddress1]: `groups@${name
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase()}.example`,
        [A.description]: 'Travel agency: sends group requests to Hoteles Brisa.',
      }),
    );
  }
  add('Accounts: clients and travel agencies', 'accounts', accounts);

  const people: Person[] = [];
  const contacts: BatchOperation[] = [];
  const addPerson = (record: EntityRecord, person: Person) => {
    people.push(person);
    contacts.push(create(contact.entitySetName, { [C.contactid]: person.id, ...record }));
  };
  const personRecord = (name: PersonName, email: string, extra: EntityRecord): EntityRecord => {
    const place = city(draw, name.spanish);
    return {
      [C.firstname]: name.first,
      [C.lastname]: name.last,
      [C.fullname]: `${name.first} ${name.last}`,
      [C.emailaddress1]: email,
      [C.idr_language]: name.spanish ? Language.Spanish : Language.English,
      [C.address1_city]: place.city,
      [C.address1_country]: place.country,
      // About one in eight has opted out of bulk e-mail: scored, but never put on a segment's list.
      [C.donotbulkemail]: draw.chance(0.12),
      ...extra,
    };
  };
  for (let i = 0; i < size.employees; i++) {
    const company = companies[i % companies.length];
    if (!company) break;
    const name = personName(draw, draw.chance(company.spanish ? 0.85 : 0.15));
    const own = draw.sample(consultancy.concepts, 1);
    const favourites = [...draw.sample(company.favourites, draw.int(1, 2)), ...own];
    addPerson(
      personRecord(name, `${emailLocal(name)}@${company.domain}`, {
        [C.jobtitle]: draw.pick(JOB_TITLES),
        [bind(`${C.parentcustomerid}_account`)]: url(account.entitySetName, company.id),
      }),
      {
        id: draw.guid(),
        name,
        catalogue: 'consultancy',
        favourites,
        activity: draw.weighted([
          [0.3, 3],
          [1, 5],
          [2.5, 2],
        ]),
      },
    );
  }
  for (let i = 0; i < size.guests; i++) {
    const name = personName(draw, draw.chance(0.6));
    addPerson(
      personRecord(
        name,
        `${emailLocal(name)}${draw.int(1, 99)}@${draw.pick(['correo.example', 'mail.example', 'inbox.example'])}`,
        {},
      ),
      {
        id: draw.guid(),
        name,
        catalogue: 'hotels',
        favourites: draw.sample(hotels.concepts, draw.int(1, 3)),
        activity: draw.weighted([
          [0.3, 3],
          [1, 5],
          [2.5, 2],
        ]),
      },
    );
  }
  const agents: { id: string; agency: (typeof agencies)[number]; name: PersonName }[] = [];
  const groupConcepts = hotels.concepts.filter((c) =>
    ['Group travel', 'Meetings and incentives', 'Weddings', 'Culture and heritage'].includes(c.name),
  );
  for (const agency of agencies) {
    for (let k = 0; k < size.agentsPerAgency; k++) {
      const name = personName(draw, draw.chance(agency.spanish ? 0.85 : 0.2));
      const id = draw.guid();
      agents.push({ id, agency, name });
      addPerson(
        personRecord(
          name,
          `${emailLocal(name)}@${agency.name
            .normalize('NFD')
            .replace(/[^A-Za-z]/g, '')
            .toLowerCase()}.example`,
          {
            [C.jobtitle]: draw.pick(AGENT_TITLES),
            [bind(`${C.parentcustomerid}_account`)]: url(account.entitySetName, agency.id),
          },
        ),
        { id, name, catalogue: 'hotels', favourites: draw.sample(groupConcepts, 2), activity: 1 },
      );
    }
  }
  add('Contacts: client staff, hotel guests and agents', 'contacts', contacts);

  // ── offers (fixed ids: the seeded draws above and below stay the same) ───────────────────────
  const offers = planDemoOffers(CATALOGUES, conceptIds, now);
  add('Offers', 'offers', offers.offers);
  add('Concepts the offers serve', 'offer concepts', offers.links);

  // ── interactions ─────────────────────────────────────────────────────────────────────────────
  const I = idr_interaction.columns;
  const interactions: BatchOperation[] = [];
  const weights = people.map((p) => [p, p.activity] as const);
  const sequence: Record<string, number> = {};
  for (let n = 0; n < size.interactions; n++) {
    const person = draw.weighted(weights);
    const catalogue = person.catalogue === 'consultancy' ? consultancy : hotels;
    const concept = draw.chance(0.8) ? draw.pick(person.favourites) : draw.pick(catalogue.concepts);
    const offered = new Set(concept.rules.map((r) => r.eventType));
    const eventType = draw.weighted(EVENT_FREQUENCY.filter(([type]) => offered.has(type)));
    const rule: RuleSpec | undefined = concept.rules.find((r) => r.eventType === eventType);
    if (!rule) continue;
    // Recent events are likelier than old ones, as with any living customer base.
    const ageMs = Math.floor(365 * DAY * draw.next() ** 1.7) + draw.int(0, DAY - 1);
    const occurred = new Date(Math.floor((now.getTime() - ageMs) / 1000) * 1000);
    const source = SOURCES[eventType] ?? 'integration';
    sequence[source] = (sequence[source] ?? 0) + 1;
    const sample = rule.sample;
    const record: EntityRecord = {
      [I.idr_interactionid]: draw.guid(),
      [I.idr_name]:
        `${EVENT_LABELS[eventType] ?? 'Event'}: ${sample.url ?? sample.product ?? sample.subject ?? sample.campaign ?? concept.name}`.slice(
          0,
          200,
        ),
      [I.idr_eventtype]: eventType,
      [I.idr_occurredon]: occurred.toISOString(),
      [I.idr_source]: source,
      [I.idr_externalid]: `${source}-${String(sequence[source]).padStart(7, '0')}`,
      [bind(I.idr_contact)]: url(contact.entitySetName, person.id),
    };
    if (sample.url) record[I.idr_url] = sample.url;
    if (sample.product) record[I.idr_product] = sample.product;
    if (sample.productFamily) record[I.idr_productfamily] = sample.productFamily;
    if (sample.subject) record[I.idr_casesubject] = sample.subject;
    const campaignId = sample.campaign ? campaignIds.get(sample.campaign) : undefined;
    if (campaignId) record[bind(I.idr_campaign)] = url(campaign.entitySetName, campaignId);
    const offerId =
      eventType === EventType.OrderConfirmed ? offers.offerFor(conceptIds.get(concept) ?? '') : undefined;
    if (offerId) record[bind(I.idr_offer)] = url(idr_offer.entitySetName, offerId);
    interactions.push(create(idr_interaction.entitySetName, record));
  }
  // Oldest first, as an integration replaying its history would send them.
  interactions.sort((a, b) =>
    String(a.kind === 'create' ? a.record[I.idr_occurredon] : '').localeCompare(
      String(b.kind === 'create' ? b.record[I.idr_occurredon] : ''),
    ),
  );
  add('Interactions from the marketing, web, ERP and helpdesk systems', 'interactions', interactions);

  // ── group quotations ─────────────────────────────────────────────────────────────────────────
  const quotations = planQuotations(draw, today, agents, policyId, size.quotationsPerPhase, now);
  add('Group quotations', 'quotations', quotations.creates);
  const rooms = planDemoRooms(draw, quotations.creates);
  add('Hotels and room types', 'hotels', rooms.hotels);
  add('Room blocks', 'roomblocks', rooms.blocks);
  add('Closed quotations (won, lost, cancelled)', 'closed', quotations.closes);
  add('Phase history of the quotations', 'phasehistory', quotations.history);

  // ── marker ───────────────────────────────────────────────────────────────────────────────────
  const N = annotation.columns;
  add('Done', 'marker', [
    create(annotation.entitySetName, {
      [N.annotationid]: DEMO_MARKER_ID,
      [N.subject]: DEMO_MARKER_SUBJECT,
      [N.notetext]: JSON.stringify({ size: options.size, loadedOn: now.toISOString(), counts }),
    }),
  ]);
  return { steps, counts };
}

const PHASES: readonly QuotationPhaseValue[] = [
  QuotationPhase.Request,
  QuotationPhase.QuotationSent,
  QuotationPhase.Confirmed,
  QuotationPhase.Deposit,
  QuotationPhase.RoomingList,
  QuotationPhase.Proforma,
  QuotationPhase.Transferred,
  QuotationPhase.Settled,
  QuotationPhase.Lost,
  QuotationPhase.Cancelled,
];

/** Days from today to arrival, by phase: a quotation's dates follow the policy and where it stands. */
const ARRIVAL_WINDOW: Readonly<Record<number, readonly [number, number]>> = {
  [QuotationPhase.Request]: [45, 240],
  [QuotationPhase.QuotationSent]: [40, 200],
  [QuotationPhase.Confirmed]: [35, 160],
  [QuotationPhase.Deposit]: [25, 120],
  [QuotationPhase.RoomingList]: [8, 20],
  [QuotationPhase.Proforma]: [1, 7],
  [QuotationPhase.Transferred]: [-4, 0],
  [QuotationPhase.Settled]: [-120, -20],
  [QuotationPhase.Lost]: [10, 120],
  [QuotationPhase.Cancelled]: [15, 100],
};

function planQuotations(
  draw: Draw,
  today: Date,
  agents: readonly { id: string; agency: { id: string; name: string }; name: PersonName }[],
  policyId: string,
  perPhase: number,
  now: Date,
): { creates: BatchOperation[]; closes: BatchOperation[]; history: BatchOperation[] } {
  const O = opportunity.columns;
  const policy = DEFAULT_POLICY;
  const creates: BatchOperation[] = [];
  const closes: BatchOperation[] = [];
  const history: BatchOperation[] = [];
  if (agents.length === 0) return { creates, closes, history };
  let n = 0;
  for (const phase of PHASES) {
    for (let k = 0; k < perPhase; k++) {
      const agent = agents[n++ % agents.length];
      if (!agent) continue;
      const id = draw.guid();
      const [from, to] = ARRIVAL_WINDOW[phase] ?? [30, 120];
      const nights = draw.int(2, 7);
      const arrival = addDays(today, draw.int(from, to));
      const departure = addDays(arrival, nights);
      const adults = draw.int(8, 60);
      const children = draw.chance(0.3) ? draw.int(1, 12) : 0;
      const price = draw.pick([55, 62, 70, 78, 85, 95, 110, 135]);
      const depositPercent = draw.pick([policy.defaultDepositPercent, 25, 30, 50]);
      const amounts = computeQuotationAmounts({
        nights,
        adults,
        children,
        pricePerPersonNight: price,
        childPricePercent: 50,
        depositPercent,
      });
      const kind = draw.pick(GROUP_KINDS);
      const record: EntityRecord = {
        [O.opportunityid]: id,
        [O.name]: `${agent.agency.name}: ${kind}, ${arrival.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })}`,
        [bind(`${O.customerid}_account`)]: url(account.entitySetName, agent.agency.id),
        [bind(O.parentcontactid)]: url(contact.entitySetName, agent.id),
        [bind(O.idr_agency)]: url(account.entitySetName, agent.agency.id),
        [bind(O.idr_agent)]: url(contact.entitySetName, agent.id),
        [bind(O.idr_policy)]: url(idr_quotationpolicy.entitySetName, policyId),
        [O.idr_arrivaldate]: isoDay(arrival),
        [O.idr_nights]: nights,
        [O.idr_departuredate]: isoDay(departure),
        [O.idr_mealplan]: draw.pick(MEAL_PLANS),
        [O.idr_adults]: adults,
        [O.idr_children]: children,
        [O.idr_persons]: amounts.persons,
        [O.idr_rooms]: Math.ceil((adults + children) / 2),
        [O.idr_priceperpersonnight]: price,
        [O.idr_childpricepercent]: 50,
        [O.idr_depositpercent]: depositPercent,
        [O.idr_total]: amounts.total,
        [O.idr_deposit]: amounts.deposit,
        [O.estimatedvalue]: amounts.total,
        [O.idr_phase]: phase,
        [O.idr_cutoffdate]: isoDay(addDays(arrival, -policy.cutoffDays)),
        [O.idr_roominglistdueon]: isoDay(addDays(arrival, -policy.roomingListDueDays)),
        [O.idr_handoffstatus]: HandoffStatus.NotReady,
      };
      const reached = (p: QuotationPhaseValue) =>
        PHASES.indexOf(phase) >= PHASES.indexOf(p) &&
        phase !== QuotationPhase.Lost &&
        phase !== QuotationPhase.Cancelled;
      // Each date follows the one before it and none lies in the future: the quotation went out weeks
      // before arrival (or a few days ago when arrival is far off), was confirmed days later, and so on.
      const earlier = (a: Date, b: Date) => (a.getTime() < b.getTime() ? a : b);
      const later = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);
      const beyondSent = phase !== QuotationPhase.Request && phase !== QuotationPhase.QuotationSent;
      const latestSend = addDays(
        today,
        phase === QuotationPhase.Lost ? -policy.optionDays - 1 : beyondSent ? -2 : 0,
      );
      const sent =
        phase === QuotationPhase.Request
          ? null
          : earlier(addDays(arrival, -draw.int(25, 90)), addDays(latestSend, -draw.int(0, 6)));
      if (sent) {
        record[O.idr_quotesenton] = isoDay(sent);
        record[O.idr_optionexpireson] = isoDay(addDays(sent, policy.optionDays));
      }
      const confirmed =
        sent && (reached(QuotationPhase.Confirmed) || phase === QuotationPhase.Cancelled)
          ? earlier(addDays(sent, draw.int(1, 5)), addDays(today, -1))
          : null;
      if (confirmed) {
        record[O.idr_confirmedon] = isoDay(confirmed);
        record[O.idr_depositduedate] = isoDay(addDays(confirmed, policy.depositDueAfterConfirmDays));
      }
      if (confirmed && reached(QuotationPhase.Deposit))
        record[O.idr_depositreceivedon] = isoDay(
          earlier(addDays(confirmed, draw.int(1, policy.depositDueAfterConfirmDays)), today),
        );
      if (confirmed && reached(QuotationPhase.RoomingList)) {
        record[O.idr_roominglistreceivedon] = isoDay(
          later(confirmed, earlier(addDays(arrival, -policy.roomingListDueDays - draw.int(0, 3)), today)),
        );
      }
      // The phase follows the facts (domain/quotation phase.ts): each phase gets the fact that reaches it.
      if (confirmed && reached(QuotationPhase.Proforma))
        record[O.idr_proformaissuedon] = isoDay(
          later(confirmed, earlier(addDays(arrival, -draw.int(3, 10)), today)),
        );
      if (phase === QuotationPhase.Settled)
        record[O.idr_paymentreceivedon] = isoDay(
          later(departure, earlier(addDays(departure, draw.int(0, 5)), today)),
        );
      if (phase === QuotationPhase.Lost) record[O.idr_lostreason] = draw.pick(LOST_REASONS);
      if (reached(QuotationPhase.Transferred)) {
        record[O.idr_handoffstatus] = HandoffStatus.Sent;
        record[O.idr_handoffreference] = `PMS-${draw.int(100000, 999999)}`;
      }
      creates.push({ kind: 'create', entitySet: opportunity.entitySetName, record });
      const S = opportunity.choices;
      let closedOn: Date | null = null;
      if (phase === QuotationPhase.Settled) {
        closes.push({
          kind: 'update',
          entitySet: opportunity.entitySetName,
          key: id,
          record: {
            [O.statecode]: S.statecode.Won,
            [O.statuscode]: S.statuscode.Won,
            [O.actualvalue]: amounts.total,
            [O.actualclosedate]: departure.toISOString(),
          },
        });
      } else if (phase === QuotationPhase.Lost) {
        closes.push({
          kind: 'update',
          entitySet: opportunity.entitySetName,
          key: id,
          record: {
            [O.statecode]: S.statecode.Lost,
            [O.statuscode]: S.statuscode.OutSold,
            [O.actualclosedate]: (closedOn = addDays(today, -draw.int(0, 5))).toISOString(),
          },
        });
      } else if (phase === QuotationPhase.Cancelled) {
        closes.push({
          kind: 'update',
          entitySet: opportunity.entitySetName,
          key: id,
          record: {
            [O.statecode]: S.statecode.Lost,
            [O.statuscode]: S.statuscode.Canceled,
            [O.actualclosedate]: (closedOn = today).toISOString(),
          },
        });
      }
      history.push(...phaseHistory(record, arrival, closedOn, today, now));
    }
  }
  return { creates, closes, history };
}

const DEMO_PHASE: Readonly<Partial<Record<number, DomainPhase>>> = {
  [QuotationPhase.Lost]: 'lost',
  [QuotationPhase.Cancelled]: 'cancelled',
};

/**
 * The phase changes a demo quotation went through, one `idr_phasehistory` row each as the
 * enforcement step writes them on a save (plugins/handlers/groupquotes/phasehistory.ts): each on the
 * day of the fact that moved it, in order, never after `now`. The loader fills in who saved them.
 */
function phaseHistory(
  record: EntityRecord,
  arrival: Date,
  closedOn: Date | null,
  today: Date,
  now: Date,
): BatchOperation[] {
  const O = opportunity.columns;
  const day = (column: string): Date | null =>
    typeof record[column] === 'string' ? new Date(`${String(record[column])}T00:00:00Z`) : null;
  const facts = toPhaseFacts(asRow(record));
  const steps: [DomainPhase, Date | null][] = [
    ['quotationSent', day(O.idr_quotesenton)],
    ['confirmed', day(O.idr_confirmedon)],
    ['deposit', day(O.idr_depositreceivedon)],
    ['roomingList', day(O.idr_roominglistreceivedon)],
    ['proforma', day(O.idr_proformaissuedon)],
  ];
  const proforma = day(O.idr_proformaissuedon);
  // The handoff has no date of its own: the day before arrival, after the proforma.
  if (facts.transferred && proforma) {
    const eve = addDays(arrival, -1);
    const handedOff = eve.getTime() < today.getTime() ? eve : today;
    steps.push(['transferred', handedOff.getTime() > proforma.getTime() ? handedOff : proforma]);
  }
  if (record[O.idr_phase] === QuotationPhase.Settled) steps.push(['settled', day(O.idr_paymentreceivedon)]);
  const closing = DEMO_PHASE[Number(record[O.idr_phase])];
  if (closing && closedOn) steps.push([closing, closedOn]);
  // Facts that arrive out of order move the phase once, to the furthest (domain/quotation phase.ts).
  const rank = (p: DomainPhase): number => {
    const i = (PHASE_STEPS as readonly DomainPhase[]).indexOf(p);
    return i < 0 ? PHASE_STEPS.length : i;
  };
  const reached: [DomainPhase, Date][] = [];
  let top = 0;
  for (const [phase, on] of steps
    .filter((s): s is [DomainPhase, Date] => s[1] !== null)
    .sort((a, b) => a[1].getTime() - b[1].getTime() || rank(a[0]) - rank(b[0]))) {
    if (rank(phase) <= top) continue;
    reached.push([phase, on]);
    top = rank(phase);
  }
  const rows: BatchOperation[] = [];
  let from: DomainPhase = 'request';
  reached.forEach(([to, on], i) => {
    // Saves in office hours, a minute apart when two facts share a day; the last one at the latest now.
    const at = new Date(
      Math.min(on.getTime() + 9 * 3_600_000 + i * 60_000, now.getTime() - (reached.length - i) * 60_000),
    );
    const change = { opportunityId: String(record[O.opportunityid]), from, to, at, facts };
    // The server writes the history in the staff language, English unless IDEARIO_LANGUAGE says otherwise.
    rows.push(create(idr_phasehistory.entitySetName, phaseChangeRow(change, null, 'en')));
    from = to;
  });
  return rows;
}
