/**
 * The Opportunity script's texts: the quotation checks' catalog (domain/quotation/messages), the policy's
 * (domain/quotation/policy) and the form-level ones here. The build writes them as the RESX web resources `idr_/opportunity/strings.<LCID>.resx`
 * and the script reads them with `Xrm.Utility.getResourceString`, so no sentence ships in the script.
 */
import type { Language } from '../../domain/quotation/language';
import { QUOTATION_STRINGS, type QuotationStringKey } from '../../domain/quotation/messages';
import { POLICY_STRINGS, type PolicyStringKey } from '../../domain/quotation/policy';

/** The RESX web resource as `getResourceString` names it: without the LCID and extension. */
export const STRINGS_RESOURCE = 'idr_/opportunity/strings';

export type FormStringKey = 'form.cannotSave' | 'form.policyUnreadable';
export type OpportunityStringKey = QuotationStringKey | PolicyStringKey | FormStringKey;

export const FORM_MESSAGES: Record<Language, Record<FormStringKey, string>> = {
  en: {
    'form.cannotSave': 'The quotation cannot be saved until you fix this: {issues}',
    'form.policyUnreadable':
      'The quotation policy could not be read, so Deposit % and Child price % were not filled in: enter them yourself. ({reason})',
  },
  es: {
    'form.cannotSave': 'No se puede guardar el presupuesto hasta que corrija lo siguiente: {issues}',
    'form.policyUnreadable':
      'No se ha podido leer la política de presupuestos, así que el % de depósito y el % del precio para niños no se han rellenado: introdúzcalos usted. ({reason})',
  },
};

/** Every string of the script in one language: what each RESX file holds. */
export function opportunityStrings(language: Language): Record<OpportunityStringKey, string> {
  return { ...QUOTATION_STRINGS[language], ...POLICY_STRINGS[language], ...FORM_MESSAGES[language] };
}
