/** Form-level texts of the Opportunity script; field messages come from domain/quotation/validation. */
import type { Language } from '../../domain/quotation/language';

export const FORM_MESSAGES: Record<
  Language,
  { cannotSave: (issues: string) => string; policyUnreadable: (reason: string) => string }
> = {
  en: {
    cannotSave: (issues) => `The quotation cannot be saved until you fix this: ${issues}`,
    policyUnreadable: (reason) =>
      `The quotation policy could not be read, so Deposit % and Child price % were not filled in: enter them yourself. (${reason})`,
  },
  es: {
    cannotSave: (issues) => `No se puede guardar el presupuesto hasta que corrija lo siguiente: ${issues}`,
    policyUnreadable: (reason) =>
      `No se ha podido leer la política de presupuestos, así que el % de depósito y el % del precio para niños no se han rellenado: introdúzcalos usted. (${reason})`,
  },
};
