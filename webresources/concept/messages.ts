/** Texts of the Marketing Concept form script, in the user's language (English or Spanish). */
import type { Language } from '../../domain/quotation/language';

export interface ConceptMessages {
  thresholds: (enter: number, exit: number) => string;
  limit: (active: number, max: number) => string;
  limitUnknown: (reason: string) => string;
  cannotSave: (issues: string) => string;
}

export const CONCEPT_MESSAGES: Record<Language, ConceptMessages> = {
  en: {
    thresholds: (enter, exit) =>
      `The exit threshold (${exit}) is above the enter threshold (${enter}): a contact who just entered the segment would leave it at once. Set the exit threshold at or below ${enter}.`,
    limit: (active, max) =>
      `${active} marketing concepts are already active and at most ${max} may be (environment variable idr_MaxActiveConcepts), so this new concept cannot be saved as active. Deactivate a concept you no longer use, or ask an administrator to raise the limit.`,
    limitUnknown: (reason) =>
      `The number of active concepts could not be checked (${reason}); if the limit is reached, the save will be refused.`,
    cannotSave: (issues) => `The concept cannot be saved until you fix this: ${issues}`,
  },
  es: {
    thresholds: (enter, exit) =>
      `El umbral de salida (${exit}) es mayor que el de entrada (${enter}): un contacto que acaba de entrar en el segmento saldría enseguida. Ponga un umbral de salida igual o menor que ${enter}.`,
    limit: (active, max) =>
      `Ya hay ${active} conceptos de marketing activos y como máximo puede haber ${max} (variable de entorno idr_MaxActiveConcepts), así que este concepto nuevo no se puede guardar como activo. Desactive un concepto que ya no use o pida a un administrador que suba el límite.`,
    limitUnknown: (reason) =>
      `No se ha podido comprobar cuántos conceptos hay activos (${reason}); si se ha alcanzado el límite, no se podrá guardar.`,
    cannotSave: (issues) => `No se puede guardar el concepto hasta que corrija lo siguiente: ${issues}`,
  },
};
