/** Spanish and English names for the demo's people and companies, drawn by the seeded generator. */
import type { Draw } from '../../../domain/random';

export const SPANISH_FIRST = [
  'Lucía',
  'María',
  'Paula',
  'Carmen',
  'Elena',
  'Sara',
  'Alba',
  'Marta',
  'Irene',
  'Laura',
  'Cristina',
  'Nuria',
  'Pilar',
  'Rocío',
  'Inés',
  'Hugo',
  'Pablo',
  'Javier',
  'Alejandro',
  'Daniel',
  'Álvaro',
  'Sergio',
  'Jorge',
  'Carlos',
  'Miguel',
  'Manuel',
  'Diego',
  'Raúl',
  'Iñigo',
  'Adrián',
];
export const SPANISH_LAST = [
  'García',
  'Fernández',
  'González',
  'Rodríguez',
  'López',
  'Martínez',
  'Sánchez',
  'Pérez',
  'Gómez',
  'Martín',
  'Jiménez',
  'Ruiz',
  'Hernández',
  'Díaz',
  'Moreno',
  'Muñoz',
  'Álvarez',
  'Romero',
  'Navarro',
  'Torres',
  'Domínguez',
  'Vázquez',
  'Ramos',
  'Gil',
  'Serrano',
  'Castillo',
  'Ortega',
  'Iglesias',
  'Peña',
  'Aguirre',
  'Etxeberria',
  'Ibáñez',
];
export const ENGLISH_FIRST = [
  'Olivia',
  'Emily',
  'Sophie',
  'Charlotte',
  'Grace',
  'Hannah',
  'Chloe',
  'Megan',
  'Rachel',
  'Zoe',
  'Amelia',
  'Lily',
  'James',
  'Oliver',
  'Harry',
  'Jack',
  'Thomas',
  'William',
  'Daniel',
  'Matthew',
  'Samuel',
  'George',
  'Liam',
  'Ethan',
  'Noah',
];
export const ENGLISH_LAST = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  "O'Connor",
  'Murphy',
  'Kelly',
  'Patel',
  'Khan',
];

const CITIES_ES = [
  'Madrid',
  'Barcelona',
  'Valencia',
  'Sevilla',
  'Bilbao',
  'Málaga',
  'Zaragoza',
  'Palma',
  'Alicante',
  'Granada',
  'San Sebastián',
  'Valladolid',
];
const CITIES_EN = ['London', 'Manchester', 'Dublin', 'Edinburgh', 'Bristol', 'Leeds', 'Birmingham', 'Cork'];

const COMPANY_STEMS = [
  'Ibérica',
  'Levante',
  'Atlántico',
  'Cantábrico',
  'Meseta',
  'Mediterránea',
  'Norte',
  'Bética',
  'Galaica',
  'Tajo',
  'Duero',
  'Ebro',
  'Northwind',
  'Thames',
  'Pennine',
  'Severn',
  'Highland',
  'Harbour',
  'Lakeside',
  'Kingfisher',
  'Oakridge',
  'Bluebell',
];
const COMPANY_KINDS = [
  'Logística',
  'Seguros',
  'Alimentación',
  'Energía',
  'Retail',
  'Capital',
  'Salud',
  'Textil',
  'Ingeniería',
  'Farma',
  'Motor',
  'Telecom',
  'Foods',
  'Analytics',
  'Health',
  'Manufacturing',
  'Insurance',
  'Labs',
  'Logistics',
  'Retail Group',
  'Energy',
  'Finance',
];
const LEGAL_ES = ['S.A.', 'S.L.', 'S.L.U.'];
const LEGAL_EN = ['Ltd', 'plc', 'Group'];

const AGENCY_NAMES = [
  'Viajes Sol y Mar',
  'Globetrotter Travel',
  'Viajes Cierzo',
  'Atlas Incentives',
  'Rumbo Norte Viajes',
  'Blue Horizon Tours',
  'Eventos Alameda',
  'Compass Group Travel',
  'Viajes La Giralda',
  'Meridian DMC',
  'Nómada Incentivos',
  'Harbour Lights Travel',
  'Viajes Aljibe',
  'Pilgrim Tours',
  'Costa Blanca Grupos',
  'Emerald Isle Travel',
  'Viajes Candela',
  'Summit MICE',
  'Ruta Mudéjar Viajes',
  'Oak & Ivy Travel',
];

export interface PersonName {
  readonly first: string;
  readonly last: string;
  readonly spanish: boolean;
}

export function personName(draw: Draw, spanish: boolean): PersonName {
  if (spanish) {
    // Spanish people carry both surnames.
    return {
      first: draw.pick(SPANISH_FIRST),
      last: `${draw.pick(SPANISH_LAST)} ${draw.pick(SPANISH_LAST)}`,
      spanish,
    };
  }
  return { first: draw.pick(ENGLISH_FIRST), last: draw.pick(ENGLISH_LAST), spanish };
}

export function city(draw: Draw, spanish: boolean): { city: string; country: string } {
  if (spanish) return { city: draw.pick(CITIES_ES), country: 'España' };
  const name = draw.pick(CITIES_EN);
  return { city: name, country: name === 'Dublin' || name === 'Cork' ? 'Ireland' : 'United Kingdom' };
}

/** Distinct company names: stem + kind + legal form, Spanish or English. */
export function companyNames(draw: Draw, count: number): { name: string; spanish: boolean }[] {
  const seen = new Set<string>();
  const out: { name: string; spanish: boolean }[] = [];
  for (let attempt = 0; out.length < count && attempt < count * 50; attempt++) {
    const stemIndex = draw.int(0, COMPANY_STEMS.length - 1);
    const spanish = stemIndex < 12;
    const kind = spanish ? draw.pick(COMPANY_KINDS.slice(0, 12)) : draw.pick(COMPANY_KINDS.slice(12));
    const name = `${COMPANY_STEMS[stemIndex] ?? ''} ${kind} ${draw.pick(spanish ? LEGAL_ES : LEGAL_EN)}`;
    const key = name.replace(/ (S\.A\.|S\.L\.U?\.|Ltd|plc|Group)$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, spanish });
  }
  return out;
}

export function agencyNames(count: number): string[] {
  return AGENCY_NAMES.slice(0, Math.min(count, AGENCY_NAMES.length));
}

/** `maría.garcía` → `maria.garcia`: e-mail local parts without accents or apostrophes. */
export function emailLocal(name: PersonName): string {
  return `${name.first}.${name.last.split(' ')[0] ?? ''}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z.]/g, '')
    .toLowerCase();
}
