/**
 * The Room Block script's texts: the room checks' catalog (domain/quotation/rooms) plus the form-level
 * one here. The build writes them as the RESX web resources `idr_/roomblock/strings.<LCID>.resx` and the
 * script reads them with `Xrm.Utility.getResourceString`, so no sentence ships in the script.
 */
import type { Language } from '../../domain/quotation/language';
import { ROOM_STRINGS, type RoomStringKey } from '../../domain/quotation/rooms';

/** The RESX web resource as `getResourceString` names it: without the LCID and extension. */
export const STRINGS_RESOURCE = 'idr_/roomblock/strings';

export type FormStringKey = 'form.cannotSave';
export type RoomBlockStringKey = RoomStringKey | FormStringKey;

export const FORM_MESSAGES: Record<Language, Record<FormStringKey, string>> = {
  en: { 'form.cannotSave': 'The room block cannot be saved: {reason}' },
  es: { 'form.cannotSave': 'No se puede guardar el bloqueo: {reason}' },
};

/** Every string of the script in one language: what each RESX file holds. */
export function roomBlockStrings(language: Language): Record<RoomBlockStringKey, string> {
  return { ...ROOM_STRINGS[language], ...FORM_MESSAGES[language] };
}
