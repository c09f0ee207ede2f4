/** What the app shell itself says, in English and Spanish (the solution's labels say the rest). */
import type { LanguageCode } from '../../solution/model';

const STRINGS = {
  apps: { 1033: 'Published apps', 3082: 'Aplicaciones publicadas' },
  noApps: { 1033: 'No app in the solutions.', 3082: 'No hay aplicaciones en las soluciones.' },
  navigation: { 1033: 'Site map', 3082: 'Mapa del sitio' },
  commands: { 1033: 'Commands', 3082: 'Comandos' },
  new: { 1033: 'New', 3082: 'Nuevo' },
  save: { 1033: 'Save', 3082: 'Guardar' },
  saveClose: { 1033: 'Save & Close', 3082: 'Guardar y cerrar' },
  delete: { 1033: 'Delete', 3082: 'Eliminar' },
  refresh: { 1033: 'Refresh', 3082: 'Actualizar' },
  language: { 1033: 'Language', 3082: 'Idioma' },
  view: { 1033: 'View', 3082: 'Vista' },
  show: { 1033: 'Show', 3082: 'Mostrar' },
  search: { 1033: 'Search this view', 3082: 'Buscar en esta vista' },
  previous: { 1033: 'Previous page', 3082: 'Página anterior' },
  next: { 1033: 'Next page', 3082: 'Página siguiente' },
  rows: { 1033: 'Rows {0}–{1}', 3082: 'Filas {0}–{1}' },
  noRows: { 1033: 'No data available.', 3082: 'No hay datos disponibles.' },
  newRecord: { 1033: 'New {0}', 3082: 'Nuevo: {0}' },
  notFound: { 1033: 'Cannot show this page', 3082: 'No se puede mostrar esta página' },
  saved: { 1033: 'Saved.', 3082: 'Guardado.' },
  unsaved: { 1033: 'Unsaved changes', 3082: 'Cambios sin guardar' },
  saveFailed: { 1033: 'The record could not be saved', 3082: 'No se pudo guardar el registro' },
  errorCode: { 1033: 'Error code', 3082: 'Código de error' },
  confirmDelete: {
    1033: 'Delete this record? This cannot be undone.',
    3082: '¿Eliminar este registro? No se puede deshacer.',
  },
  confirmRefresh: {
    1033: 'Discard your unsaved changes and show the record as it is stored?',
    3082: '¿Descartar los cambios sin guardar y mostrar el registro tal como está guardado?',
  },
  required: { 1033: 'required', 3082: 'obligatorio' },
  requiredMissing: {
    1033: '{0}: required fields must be filled in.',
    3082: '{0}: rellene los campos obligatorios.',
  },
  notANumber: { 1033: 'Enter a number.', 3082: 'Escriba un número.' },
  notNumbers: {
    1033: '{0}: correct the fields that do not hold a number.',
    3082: '{0}: corrija los campos que no contienen un número.',
  },
  notADate: { 1033: 'Enter a date.', 3082: 'Escriba una fecha.' },
  notDates: {
    1033: '{0}: correct the fields that do not hold a date.',
    3082: '{0}: corrija los campos que no contienen una fecha.',
  },
  chooseDate: { 1033: 'Choose a date: {0}', 3082: 'Elegir una fecha: {0}' },
  calendar: { 1033: 'Calendar', 3082: 'Calendario' },
  previousMonth: { 1033: 'Previous month', 3082: 'Mes anterior' },
  nextMonth: { 1033: 'Next month', 3082: 'Mes siguiente' },
  yes: { 1033: 'Yes', 3082: 'Sí' },
  controlNotBuilt: {
    1033: 'The control {0} is not built here: run npm run build (or npm start) and reload.',
    3082: 'El control {0} no está compilado aquí: ejecute npm run build (o npm start) y recargue.',
  },
  controlFailed: { 1033: 'The control {0} failed: {1}', 3082: 'El control {0} ha fallado: {1}' },
  controlLoading: { 1033: 'Loading {0}…', 3082: 'Cargando {0}…' },
  no: { 1033: 'No', 3082: 'No' },
  chartTable: { 1033: 'Show the figures as a table', 3082: 'Mostrar las cifras en una tabla' },
  openView: { 1033: 'Open {0}', 3082: 'Abrir {0}' },
  blank: { 1033: '(blank)', 3082: '(en blanco)' },
  copyToStatic: { 1033: 'Copy to Static', 3082: 'Copiar en lista estática' },
  copyingToStatic: {
    1033: 'Copying the members the query finds now to a new static list…',
    3082: 'Copiando a una nueva lista estática los miembros que encuentra ahora la consulta…',
  },
  copyToStaticFailed: {
    1033: 'The list could not be copied to a static list',
    3082: 'No se pudo copiar la lista en una lista estática',
  },
} as const satisfies Record<string, Record<LanguageCode, string>>;

export type StringKey = keyof typeof STRINGS;

export function text(lang: LanguageCode, key: StringKey, ...args: string[]): string {
  return args.reduce<string>((out, arg, i) => out.replace(`{${i}}`, arg), STRINGS[key][lang]);
}

/** Every string in one language, for the browser script. */
export function allStrings(lang: LanguageCode): Record<StringKey, string> {
  return Object.fromEntries(Object.entries(STRINGS).map(([key, value]) => [key, value[lang]])) as Record<
    StringKey,
    string
  >;
}
