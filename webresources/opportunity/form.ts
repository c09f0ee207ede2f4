/**
 * The group-quotation part of the Opportunity main form: a thin adapter from Xrm events to
 * domain/quotation. Everything it needs from outside (a DataverseReader, the clock) is passed in;
 * the form itself comes from `executionContext.getFormContext()` ("Client API form context").
 */
import type { DataverseReader, TableNames } from '../../dataverse/adapters/webapi-client';
// Names modules, imported as namespaces: the bundle keeps only the names this file reads.
import * as policyTable from '../../dataverse/generated/names/idr_quotationpolicy';
import * as col from '../../dataverse/generated/names/opportunity';
import { type DateOnly, localDateOnly, toLocalDate } from '../../domain/quotation/dateonly';
import { formatNumber, type Language, languageFromLcid } from '../../domain/quotation/language';
import { readPolicyPercents } from '../../domain/quotation/policy';
import { computeQuotationAmounts } from '../../domain/quotation/pricing';
import { deriveStay, type StayField } from '../../domain/quotation/stay';
import { fillTemplate } from '../../domain/quotation/messages';
import {
  checkQuotation,
  issueMessage,
  type QuotationField,
  type QuotationValues,
} from '../../domain/quotation/validation';
import type { OpportunityStringKey } from './messages';

/** The `tables` option of the form's Xrm.WebApi client: the one table the script reads. */
export const FORM_TABLES: Readonly<Record<string, Pick<TableNames, 'logicalName'>>> = {
  [policyTable.entitySetName]: { logicalName: policyTable.logicalName },
};

/** The opportunity column behind each domain field. */
export const FIELD_COLUMNS: Readonly<Record<QuotationField, string>> = {
  arrival: col.idr_arrivaldate,
  nights: col.idr_nights,
  departure: col.idr_departuredate,
  adults: col.idr_adults,
  children: col.idr_children,
  pricePerPersonNight: col.idr_priceperpersonnight,
  childPricePercent: col.idr_childpricepercent,
  depositPercent: col.idr_depositpercent,
};

/** Computed by this script (and by the server), so the user cannot type into them. */
export const COMPUTED_COLUMNS = [col.idr_persons, col.idr_total, col.idr_deposit] as const;

/** Notification ids, so each one can be replaced and cleared on its own. */
export const fieldNotificationId = (field: QuotationField): string => `idr.quotation.${field}`;
export const SAVE_NOTIFICATION_ID = 'idr.quotation.save';
export const POLICY_NOTIFICATION_ID = 'idr.quotation.policy';

// XrmEnum.FormType.Create; the ambient const enum cannot be read under isolatedModules.
const FORM_TYPE_CREATE: XrmEnum.FormType = 1;

export interface OpportunityFormDependencies {
  /** Dataverse as the form sees it (Xrm.WebApi through dataverse/adapters/xrm-client), asked for when a handler runs. */
  client: () => DataverseReader;
  /** Now; "today" is its date in the user's calendar. */
  clock: () => Date;
  /**
   * A text of the script in the user's language, by key (`Xrm.Utility.getResourceString` over the
   * `idr_/opportunity/strings` RESX web resources; messages.ts holds the catalog).
   */
  text: (key: OpportunityStringKey) => string;
}

export interface OpportunityFormHandlers {
  onLoad: (executionContext: Xrm.Events.EventContext) => Promise<void>;
  onSave: (executionContext: Xrm.Events.SaveEventContext) => void;
  onArrivalChange: (executionContext: Xrm.Events.EventContext) => void;
  onNightsChange: (executionContext: Xrm.Events.EventContext) => void;
  onDepartureChange: (executionContext: Xrm.Events.EventContext) => void;
  onPricingChange: (executionContext: Xrm.Events.EventContext) => void;
}

type Form = Xrm.FormContext;

function attribute(form: Form, name: string): Xrm.Attributes.Attribute | null {
  return form.getAttribute(name);
}

/** Not `instanceof`: the form hands over Dates made in another frame (another realm). */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function readDate(form: Form, name: string): DateOnly | null {
  const value: unknown = attribute(form, name)?.getValue();
  // A date-only control holds local midnight of the chosen day: read the local calendar date.
  return isDate(value) && !Number.isNaN(value.getTime()) ? localDateOnly(value) : null;
}

/** A number as the form or the Web API hands it over; anything else reads as empty. */
function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function readNumber(form: Form, name: string): number | null {
  return numberOrNull(attribute(form, name)?.getValue());
}

function readValues(form: Form): QuotationValues {
  // A loop rather than an object literal of eight reads: it keeps the bundle ~400 bytes smaller.
  const values: Partial<Record<QuotationField, DateOnly | number | null>> = {};
  for (const field of Object.keys(FIELD_COLUMNS) as QuotationField[]) {
    const name = FIELD_COLUMNS[field];
    values[field] =
      field === 'arrival' || field === 'departure' ? readDate(form, name) : readNumber(form, name);
  }
  return values as QuotationValues;
}

/** Sets a value only when it differs, so an unchanged computation does not make the form dirty. */
function write(form: Form, name: string, value: number | Date | null): void {
  const target = attribute(form, name) as Xrm.Attributes.Attribute<number | Date> | null;
  if (!target) return;
  const current: unknown = target.getValue();
  const same = isDate(current) && isDate(value) ? current.getTime() === value.getTime() : current === value;
  if (!same) target.setValue(value);
}

function languageOf(context: Xrm.Events.EventContext): Language {
  return languageFromLcid(context.getContext().userSettings.languageId);
}

function forEachControl(
  form: Form,
  name: string,
  act: (control: Xrm.Controls.StandardControl) => void,
): void {
  attribute(form, name)?.controls.forEach(act);
}

export function createOpportunityForm(dependencies: OpportunityFormDependencies): OpportunityFormHandlers {
  const { text } = dependencies;
  /** Puts each issue on its field, clears fixed ones, and returns the messages in the form's order. */
  const showIssues = (form: Form, language: Language): string[] => {
    const values = readValues(form);
    const today = localDateOnly(dependencies.clock());
    const issues = checkQuotation(values, { today, isNew: form.ui.getFormType() === FORM_TYPE_CREATE });
    const messages = issues.map((issue) => issueMessage(issue, values, today, language, text));
    for (const field of Object.keys(FIELD_COLUMNS) as QuotationField[]) {
      const notice = messages.filter((_, i) => issues[i].field === field).join(' ');
      forEachControl(form, FIELD_COLUMNS[field], (control) => {
        if (notice) control.setNotification(notice, fieldNotificationId(field));
        else control.clearNotification(fieldNotificationId(field));
      });
    }
    return messages;
  };

  // Forms whose save message is on display (keyed by their ui object), so a change can update it.
  const saveMessageShown = new WeakSet<object>();

  /** On save: show what blocks it. After a change: update or clear that message, never raise it. */
  const refreshSaveMessage = (form: Form, messages: string[], onSave: boolean): void => {
    if (messages.length === 0) {
      form.ui.clearFormNotification(SAVE_NOTIFICATION_ID);
      saveMessageShown.delete(form.ui);
    } else if (onSave || saveMessageShown.has(form.ui)) {
      form.ui.setFormNotification(
        fillTemplate(text('form.cannotSave'), { issues: messages.join(' ') }),
        'ERROR',
        SAVE_NOTIFICATION_ID,
      );
      saveMessageShown.add(form.ui);
    }
  };

  const recompute = (form: Form): void => {
    const amounts = computeQuotationAmounts(readValues(form));
    write(form, col.idr_persons, amounts.persons);
    write(form, col.idr_total, amounts.total);
    write(form, col.idr_deposit, amounts.deposit);
  };

  const afterChange = (context: Xrm.Events.EventContext): void => {
    const form = context.getFormContext();
    const language = languageOf(context);
    recompute(form);
    refreshSaveMessage(form, showIssues(form, language), false);
  };

  const onStayChange =
    (changed: StayField) =>
    (context: Xrm.Events.EventContext): void => {
      const form = context.getFormContext();
      const derived = deriveStay(changed, readValues(form));
      if (derived)
        write(
          form,
          FIELD_COLUMNS[derived.field],
          derived.field === 'nights' ? derived.value : toLocalDate(derived.value),
        );
      afterChange(context);
    };

  /** The policy's percentages, filling only fields still empty when the answer arrives. */
  const applyPolicyDefaults = async (form: Form, language: Language): Promise<void> => {
    const select = [
      policyTable.idr_name,
      policyTable.idr_defaultdepositpercent,
      policyTable.idr_childpricepercent,
    ];
    const warn = (reason: string): void => {
      form.ui.setFormNotification(
        fillTemplate(text('form.policyUnreadable'), { reason }),
        'WARNING',
        POLICY_NOTIFICATION_ID,
      );
    };
    const chosen = (attribute(form, col.idr_policy)?.getValue() as Xrm.LookupValue[] | null | undefined)?.[0];
    try {
      const client = dependencies.client();
      const row = chosen
        ? await client.retrieve(policyTable.entitySetName, chosen.id, select) // the reader strips the braces
        : (
            await client.retrieveMultiple(policyTable.entitySetName, {
              select,
              filter: `${policyTable.idr_isdefault} eq true and ${policyTable.statecode} eq ${policyTable.choices.statecode.Active}`,
              top: 1,
            })
          )[0];
      const name = row?.[policyTable.idr_name];
      // No policy row at all: the documented defaults apply (domain/quotation/policy).
      const { percents: policy, problems } = readPolicyPercents(
        row && {
          defaultDepositPercent: numberOrNull(row[policyTable.idr_defaultdepositpercent]),
          childPricePercent: numberOrNull(row[policyTable.idr_childpricepercent]),
        },
      );
      if (problems.length > 0) {
        // What the server's InvalidPolicyError says, in the user's language (the RESX catalog).
        const listed = problems
          .map((problem) =>
            fillTemplate(text(`policy.${problem.field}OutOfRange`), {
              value: formatNumber(problem.value, language),
            }),
          )
          .join('; ');
        const unusable = typeof name === 'string' ? 'policy.unusable' : 'policy.unusableUnnamed';
        warn(fillTemplate(text(unusable), { name: String(name), problems: listed }));
        return;
      }
      const fillEmpty = (field: 'depositPercent' | 'childPricePercent', value: number): void => {
        if (readNumber(form, FIELD_COLUMNS[field]) === null) write(form, FIELD_COLUMNS[field], value);
      };
      fillEmpty('depositPercent', policy.defaultDepositPercent);
      fillEmpty('childPricePercent', policy.childPricePercent);
      form.ui.clearFormNotification(POLICY_NOTIFICATION_ID);
    } catch (error) {
      warn(error instanceof Error ? error.message : String(error));
    }
  };

  return {
    onLoad: async (context) => {
      const form = context.getFormContext();
      const language = languageOf(context);
      for (const name of COMPUTED_COLUMNS) {
        forEachControl(form, name, (control) => control.setDisabled(true));
        // Values a script puts in locked fields are only sent with the record when asked to.
        attribute(form, name)?.setSubmitMode('always');
      }
      if (form.ui.getFormType() === FORM_TYPE_CREATE) {
        // The form waits for this only where the app enables async OnLoad handlers ("Form OnLoad
        // event"); elsewhere the defaults arrive a moment later, still never over typed values.
        await applyPolicyDefaults(form, language);
        recompute(form);
      }
      showIssues(form, language);
    },

    onSave: (context) => {
      const form = context.getFormContext();
      const language = languageOf(context);
      recompute(form);
      const messages = showIssues(form, language);
      if (messages.length > 0) context.getEventArgs().preventDefault();
      refreshSaveMessage(form, messages, true);
    },

    onArrivalChange: onStayChange('arrival'),
    onNightsChange: onStayChange('nights'),
    onDepartureChange: onStayChange('departure'),
    onPricingChange: afterChange,
  };
}
