/**
 * The demo's two concept catalogues ("idearios"): a technology consultancy's and a hotel chain's, 24
 * concepts each, and the interaction rules that turn their customers' events into interest. Every rule
 * carries a sample event that matches it, which is what the generated interactions are made of, so the
 * demo's events score the way a real integration's would.
 */
import { EventType, type EventTypeValue } from '../../../dataverse/generated';

export interface EventSample {
  readonly url?: string;
  /** Name of the campaign the event belongs to (created by the demo). */
  readonly campaign?: string;
  readonly product?: string;
  readonly productFamily?: string;
  readonly subject?: string;
}

export interface RuleSpec {
  readonly name: string;
  readonly eventType: EventTypeValue;
  readonly points: number;
  /** `key=glob;key=glob` (see domain/interest parseMatch). */
  readonly match?: string;
  readonly repeatable: boolean;
  readonly dailyCap?: number;
  readonly sample: EventSample;
}

export interface ConceptSpec {
  readonly code: string;
  readonly name: string;
  readonly group: string;
  readonly description: string;
  readonly halfLifeDays: number;
  readonly enter: number;
  readonly exit: number;
  readonly rules: readonly RuleSpec[];
}

export interface CatalogueSpec {
  readonly key: 'consultancy' | 'hotels';
  readonly organisation: string;
  readonly domain: string;
  readonly concepts: readonly ConceptSpec[];
  /** Campaign names the rules refer to, with whether each is an event (else a newsletter). */
  readonly campaigns: readonly { readonly name: string; readonly event: boolean }[];
}

interface Seed {
  readonly slug: string;
  readonly name: string;
  readonly group: string;
  readonly halfLife: number;
  readonly enter: number;
  readonly product: string;
  readonly family: string;
  readonly subject: string;
  readonly hashtag: string;
}

const OPTIONAL_TYPES = [
  'EventAttended',
  'OrderConfirmed',
  'CaseOpened',
  'Complaint',
  'SocialMention',
] as const;

/** The rules of one concept: four everyday ones, and three of the rarer kinds in turn (all kinds occur in a catalogue). */
function rulesFor(
  seed: Seed,
  index: number,
  domain: string,
  brand: string,
  opportunityRule: boolean,
): { rules: RuleSpec[]; campaigns: { name: string; event: boolean }[] } {
  const newsletter = `${brand} newsletter: ${seed.name}`;
  const event = `${brand} event: ${seed.name}`;
  const page = `https://www.${domain}/${seed.group.toLowerCase().replace(/[^a-z]+/g, '-')}/${seed.slug}`;
  const rules: RuleSpec[] = [
    {
      name: `${seed.name}: web visit`,
      eventType: EventType.WebVisit,
      points: 3,
      match: `url=*${domain}/*/${seed.slug}*`,
      repeatable: true,
      dailyCap: 3,
      sample: { url: `${page}/overview` },
    },
    {
      name: `${seed.name}: newsletter click`,
      eventType: EventType.EmailClick,
      points: 5,
      match: `url=*${domain}/*utm_content=${seed.slug}*`,
      repeatable: true,
      dailyCap: 2,
      sample: {
        url: `${page}?utm_source=newsletter&utm_medium=email&utm_content=${seed.slug}`,
        campaign: newsletter,
      },
    },
    {
      name: `${seed.name}: newsletter open`,
      eventType: EventType.EmailOpen,
      points: 1,
      match: `campaign=${newsletter}`,
      repeatable: true,
      dailyCap: 1,
      sample: { campaign: newsletter },
    },
    {
      name: `${seed.name}: contact form`,
      eventType: EventType.FormSubmission,
      points: 12,
      match: `url=*${domain}/contact/${seed.slug}*`,
      repeatable: true,
      sample: { url: `https://www.${domain}/contact/${seed.slug}?ref=hero` },
    },
  ];
  const campaigns = [{ name: newsletter, event: false }];
  for (let k = 0; k < 3; k++) {
    const kind = OPTIONAL_TYPES[(index + k) % OPTIONAL_TYPES.length];
    switch (kind) {
      case 'EventAttended':
        rules.push({
          name: `${seed.name}: event attended`,
          eventType: EventType.EventAttended,
          points: 15,
          match: `campaign=${event}`,
          repeatable: true,
          sample: { campaign: event },
        });
        campaigns.push({ name: event, event: true });
        break;
      case 'OrderConfirmed':
        rules.push({
          name: `${seed.name}: order`,
          eventType: EventType.OrderConfirmed,
          points: 25,
          match: `product=${seed.product}*;productfamily=${seed.family}`,
          repeatable: true,
          sample: {
            product: `${seed.product} (${index % 2 === 0 ? 'standard' : 'premium'})`,
            productFamily: seed.family,
          },
        });
        break;
      case 'CaseOpened':
        rules.push({
          name: `${seed.name}: support case`,
          eventType: EventType.CaseOpened,
          points: 2,
          match: `subject=*${seed.subject}*`,
          repeatable: true,
          dailyCap: 1,
          sample: { subject: `Question about ${seed.subject}` },
        });
        break;
      case 'Complaint':
        rules.push({
          name: `${seed.name}: complaint`,
          eventType: EventType.Complaint,
          points: -10,
          match: `subject=*${seed.subject}*`,
          repeatable: true,
          sample: { subject: `Complaint: ${seed.subject}` },
        });
        break;
      case 'SocialMention':
        rules.push({
          name: `${seed.name}: social mention`,
          eventType: EventType.SocialMention,
          points: 2,
          match: `url=*#${seed.hashtag}*`,
          repeatable: true,
          dailyCap: 2,
          sample: { url: `https://social.example/posts/${seed.slug}#${seed.hashtag}` },
        });
        break;
    }
  }
  if (opportunityRule) {
    // Every opportunity opened for a customer says they buy: CRM activity registered by the solution itself.
    rules.push({
      name: `${seed.name}: opportunity opened`,
      eventType: EventType.OpportunityCreated,
      points: 8,
      repeatable: true,
      dailyCap: 1,
      sample: {},
    });
  }
  return { rules, campaigns };
}

function catalogue(
  key: CatalogueSpec['key'],
  organisation: string,
  domain: string,
  brand: string,
  seeds: readonly Seed[],
  opportunitySlug: string,
  prefix: string,
): CatalogueSpec {
  const campaigns: { name: string; event: boolean }[] = [];
  const concepts = seeds.map((seed, index) => {
    const made = rulesFor(seed, index, domain, brand, seed.slug === opportunitySlug);
    campaigns.push(...made.campaigns);
    return {
      code: `${prefix}-${seed.slug.toUpperCase()}`,
      name: seed.name,
      group: seed.group,
      description: `${organisation}: customers interested in ${seed.name.toLowerCase()}.`,
      halfLifeDays: seed.halfLife,
      enter: seed.enter,
      // Exit below enter (hysteresis), so a contact near the threshold does not flap in and out.
      exit: Math.round(seed.enter * 0.6),
      rules: made.rules,
    };
  });
  return { key, organisation, domain, concepts, campaigns };
}

const s = (
  slug: string,
  name: string,
  group: string,
  halfLife: number,
  enter: number,
  product: string,
  family: string,
  subject: string,
  hashtag: string,
): Seed => ({
  slug,
  name,
  group,
  halfLife,
  enter,
  product,
  family,
  subject,
  hashtag,
});

const CONSULTANCY: readonly Seed[] = [
  s(
    'cloud-migration',
    'Cloud migration',
    'Cloud',
    120,
    20,
    'Cloud Migration Assessment',
    'Cloud services',
    'cloud migration',
    'CloudMigration',
  ),
  s(
    'kubernetes',
    'Kubernetes and containers',
    'Cloud',
    120,
    20,
    'Kubernetes Platform Setup',
    'Cloud services',
    'kubernetes',
    'Kubernetes',
  ),
  s(
    'finops',
    'Cloud cost optimisation',
    'Cloud',
    90,
    18,
    'FinOps Review',
    'Cloud services',
    'cloud costs',
    'FinOps',
  ),
  s(
    'serverless',
    'Serverless applications',
    'Cloud',
    120,
    18,
    'Serverless Accelerator',
    'Cloud services',
    'serverless',
    'Serverless',
  ),
  s(
    'data-platform',
    'Modern data platforms',
    'Data',
    150,
    22,
    'Data Platform Blueprint',
    'Data and AI',
    'data platform',
    'DataPlatform',
  ),
  s(
    'business-intelligence',
    'Business intelligence',
    'Data',
    120,
    18,
    'BI Dashboards Package',
    'Data and AI',
    'dashboards',
    'PowerBI',
  ),
  s(
    'data-governance',
    'Data governance',
    'Data',
    180,
    20,
    'Data Governance Framework',
    'Data and AI',
    'data governance',
    'DataGovernance',
  ),
  s(
    'machine-learning',
    'Machine learning',
    'Data',
    120,
    22,
    'ML Proof of Concept',
    'Data and AI',
    'machine learning',
    'MachineLearning',
  ),
  s(
    'generative-ai',
    'Generative AI',
    'Data',
    60,
    15,
    'GenAI Copilot Pilot',
    'Data and AI',
    'generative ai',
    'GenAI',
  ),
  s(
    'zero-trust',
    'Zero trust security',
    'Security',
    180,
    22,
    'Zero Trust Roadmap',
    'Security',
    'zero trust',
    'ZeroTrust',
  ),
  s(
    'managed-soc',
    'Managed security operations',
    'Security',
    180,
    25,
    'Managed SOC Subscription',
    'Security',
    'security incident',
    'SOC',
  ),
  s(
    'compliance',
    'ISO 27001 and ENS compliance',
    'Security',
    240,
    20,
    'Compliance Readiness Audit',
    'Security',
    'compliance audit',
    'ISO27001',
  ),
  s('privacy', 'GDPR and privacy', 'Security', 240, 18, 'GDPR Health Check', 'Security', 'gdpr', 'GDPR'),
  s(
    'crm',
    'CRM implementation',
    'Applications',
    150,
    22,
    'Dynamics 365 CRM Rollout',
    'Business applications',
    'crm',
    'Dynamics365',
  ),
  s(
    'erp',
    'ERP modernisation',
    'Applications',
    180,
    25,
    'ERP Modernisation Study',
    'Business applications',
    'erp',
    'ERP',
  ),
  s(
    'low-code',
    'Low-code and Power Platform',
    'Applications',
    90,
    18,
    'Power Platform Bootcamp',
    'Business applications',
    'power apps',
    'PowerPlatform',
  ),
  s(
    'mobile-apps',
    'Mobile apps',
    'Applications',
    120,
    18,
    'Mobile App MVP',
    'Business applications',
    'mobile app',
    'MobileDev',
  ),
  s(
    'api-integration',
    'API integration',
    'Applications',
    120,
    18,
    'Integration Hub Setup',
    'Business applications',
    'integration',
    'APIs',
  ),
  s(
    'devops',
    'DevOps and CI/CD',
    'Operations',
    120,
    20,
    'DevOps Maturity Assessment',
    'Managed services',
    'pipeline',
    'DevOps',
  ),
  s(
    'sre',
    'Site reliability engineering',
    'Operations',
    150,
    22,
    'SRE Retainer',
    'Managed services',
    'outage',
    'SRE',
  ),
  s(
    'itsm',
    'IT service management',
    'Operations',
    180,
    20,
    'Service Desk Outsourcing',
    'Managed services',
    'service desk',
    'ITSM',
  ),
  s(
    'm365',
    'Microsoft 365 adoption',
    'Workplace',
    90,
    16,
    'M365 Adoption Programme',
    'Modern workplace',
    'teams',
    'Microsoft365',
  ),
  s(
    'hybrid-work',
    'Hybrid work and collaboration',
    'Workplace',
    90,
    16,
    'Hybrid Workplace Kit',
    'Modern workplace',
    'collaboration',
    'HybridWork',
  ),
  s(
    'digital-strategy',
    'Digital transformation strategy',
    'Strategy',
    240,
    25,
    'Digital Strategy Workshop',
    'Advisory',
    'roadmap',
    'DigitalTransformation',
  ),
];

const HOTELS: readonly Seed[] = [
  s('beach', 'Beach holidays', 'Leisure', 90, 18, 'Beachfront Room', 'Rooms', 'sea view', 'BrisaBeach'),
  s(
    'city-breaks',
    'City breaks',
    'Leisure',
    60,
    15,
    'City Break Package',
    'Packages',
    'city centre',
    'CityBreak',
  ),
  s('mountain', 'Mountain and ski', 'Leisure', 120, 18, 'Ski Pass Package', 'Packages', 'ski', 'BrisaSnow'),
  s(
    'rural',
    'Rural getaways',
    'Leisure',
    120,
    15,
    'Country House Stay',
    'Rooms',
    'countryside',
    'RuralGetaway',
  ),
  s('golf', 'Golf', 'Sport', 150, 18, 'Golf Green Fees', 'Experiences', 'golf', 'BrisaGolf'),
  s('spa', 'Spa and wellness', 'Wellness', 120, 18, 'Spa Circuit', 'Experiences', 'spa', 'BrisaSpa'),
  s('yoga', 'Yoga retreats', 'Wellness', 120, 15, 'Yoga Retreat Weekend', 'Packages', 'yoga', 'YogaRetreat'),
  s(
    'gastronomy',
    'Gastronomy',
    'Food and drink',
    90,
    15,
    'Chef Tasting Menu',
    'Food and beverage',
    'restaurant',
    'BrisaTaste',
  ),
  s('wine', 'Wine tourism', 'Food and drink', 120, 15, 'Winery Tour', 'Experiences', 'wine', 'WineTourism'),
  s(
    'all-inclusive',
    'All-inclusive',
    'Leisure',
    90,
    18,
    'All-Inclusive Upgrade',
    'Board',
    'all inclusive',
    'AllInclusive',
  ),
  s('family', 'Family holidays', 'Family', 120, 18, 'Family Suite', 'Rooms', 'family room', 'FamilyTime'),
  s('kids-club', 'Kids club', 'Family', 90, 12, 'Kids Club Pass', 'Experiences', 'kids club', 'BrisaKids'),
  s('pets', 'Pet-friendly stays', 'Family', 150, 12, 'Pet Welcome Pack', 'Extras', 'pets', 'PetFriendly'),
  s(
    'business-travel',
    'Business travel',
    'Business',
    60,
    15,
    'Corporate Rate Room',
    'Rooms',
    'invoice',
    'BusinessTravel',
  ),
  s(
    'mice',
    'Meetings and incentives',
    'Business',
    180,
    22,
    'Meeting Room Day Package',
    'Events',
    'meeting room',
    'MICE',
  ),
  s('weddings', 'Weddings', 'Events', 240, 25, 'Wedding Banquet', 'Events', 'wedding', 'BrisaWeddings'),
  s(
    'groups',
    'Group travel',
    'Business',
    120,
    20,
    'Group Allotment',
    'Groups',
    'group booking',
    'GroupTravel',
  ),
  s(
    'culture',
    'Culture and heritage',
    'Leisure',
    120,
    15,
    'Heritage Walking Tour',
    'Experiences',
    'museum',
    'Heritage',
  ),
  s(
    'nightlife',
    'Nightlife',
    'Leisure',
    60,
    12,
    'Rooftop Bar Pass',
    'Food and beverage',
    'rooftop',
    'BrisaNights',
  ),
  s(
    'adults-only',
    'Adults only',
    'Leisure',
    120,
    15,
    'Adults-Only Room',
    'Rooms',
    'adults only',
    'AdultsOnly',
  ),
  s('luxury', 'Luxury suites', 'Premium', 150, 22, 'Presidential Suite', 'Rooms', 'suite', 'BrisaLuxury'),
  s(
    'loyalty',
    'Brisa Rewards loyalty',
    'Premium',
    240,
    20,
    'Rewards Points Top-up',
    'Loyalty',
    'rewards points',
    'BrisaRewards',
  ),
  s(
    'sustainable',
    'Sustainable travel',
    'Values',
    180,
    15,
    'Carbon-Neutral Stay',
    'Packages',
    'sustainability',
    'GreenStay',
  ),
  s('cruises', 'Cruise stopovers', 'Leisure', 90, 15, 'Port Transfer', 'Extras', 'cruise', 'CruiseStop'),
];

export const CATALOGUES: readonly CatalogueSpec[] = [
  catalogue(
    'consultancy',
    'Nubera Consulting',
    'nubera-consulting.example',
    'Nubera',
    CONSULTANCY,
    'digital-strategy',
    'NUB',
  ),
  catalogue('hotels', 'Hoteles Brisa', 'hotelesbrisa.example', 'Brisa', HOTELS, 'groups', 'BRI'),
];
