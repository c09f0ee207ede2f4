/**
 * The Marketing Concept main form: explains, before saving, the two refusals of the catalogue guard
 * on the server (exit threshold above enter threshold; one active concept too many). Dataverse shows a
 * user only a generic error when a synchronous webhook refuses a save ("Use webhooks…", Troubleshoot),
 * so the reason has to be given here; the server still refuses API callers.
 */
import type { DataverseReader, TableNames } from '../../dataverse/adapters/webapi-client';
// Names modules, imported as namespaces: the bundle keeps only the names this file reads, where the
// table objects of dataverse/generated would bring every column, type and choice of the table.
import * as environmentvariabledefinition from '../../dataverse/generated/names/environmentvariabledefinition';
import * as environmentvariablevalue from '../../dataverse/generated/names/environmentvariablevalue';
import * as idr_marketingconcept from '../../dataverse/generated/names/idr_marketingconcept';
import {
  activeLimitReached,
  DEFAULT_MAX_ACTIVE_CONCEPTS,
  parseMaxActiveConcepts,
  thresholdsConflict,
} from '../../domain/interest/catalogue';
import { type Language, languageFromLcid } from '../../domain/quotation/language';
import { CONCEPT_MESSAGES } from './messages';

const ACTIVE = idr_marketingconcept.choices.statecode.Active;

/** The tables this form reads through Xrm.WebApi (the adapter maps entity sets to them). */
// Written out name by name: a namespace passed as a value would bring all of its names.
export const FORM_TABLES: Readonly<Record<string, Pick<TableNames, 'logicalName'>>> = {
  [environmentvariabledefinition.entitySetName]: { logicalName: environmentvariabledefinition.logicalName },
  [environmentvariablevalue.entitySetName]: { logicalName: environmentvariablevalue.logicalName },
  [idr_marketingconcept.entitySetName]: { logicalName: idr_marketingconcept.logicalName },
};

/** Schema name of the solution's environment variable (solution/IdearioInterests/src/environmentvariabledefinitions/). */
export const MAX_ACTIVE_CONCEPTS_VARIABLE = 'idr_MaxActiveConcepts';

export const THRESHOLD_NOTIFICATION_ID = 'idr.concept.thresholds';
export const LIMIT_NOTIFICATION_ID = 'idr.concept.limit';
export const SAVE_NOTIFICATION_ID = 'idr.concept.save';

// XrmEnum.FormType.Create; the ambient const enum cannot be read under isolatedModules.
const FORM_TYPE_CREATE: XrmEnum.FormType = 1;

export interface ConceptFormDependencies {
  /** Dataverse as the form sees it (Xrm.WebApi through dataverse/adapters/xrm-client). */
  client: () => DataverseReader;
}

export interface ConceptFormHandlers {
  onLoad: (executionContext: Xrm.Events.EventContext) => Promise<void>;
  onThresholdChange: (executionContext: Xrm.Events.EventContext) => void;
  onSave: (executionContext: Xrm.Events.SaveEventContext) => void;
}

type Form = Xrm.FormContext;

function numberOf(form: Form, name: string): number | null {
  const value: unknown = form.getAttribute(name)?.getValue();
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function languageOf(context: Xrm.Events.EventContext): Language {
  return languageFromLcid(context.getContext().userSettings.languageId);
}

function controlsOf(form: Form, name: string): Xrm.Controls.StandardControl[] {
  const controls: Xrm.Controls.StandardControl[] = [];
  form.getAttribute(name)?.controls.forEach((control) => {
    controls.push(control);
  });
  return controls;
}

/** The limit in force: the environment variable's current value, else its default, else 30. */
async function readMaxActive(client: DataverseReader): Promise<number> {
  const byName = `schemaname eq '${MAX_ACTIVE_CONCEPTS_VARIABLE}'`;
  const [values, definitions] = await Promise.all([
    client.retrieveMultiple(environmentvariablevalue.entitySetName, {
      select: [environmentvariablevalue.value],
      filter: byName,
      top: 1,
    }),
    client.retrieveMultiple(environmentvariabledefinition.entitySetName, {
      select: [environmentvariabledefinition.defaultvalue],
      filter: byName,
      top: 1,
    }),
  ]);
  const current = values[0]?.[environmentvariablevalue.value];
  const fallback = definitions[0]?.[environmentvariabledefinition.defaultvalue];
  return (
    parseMaxActiveConcepts(typeof current === 'string' ? current : null) ??
    parseMaxActiveConcepts(typeof fallback === 'string' ? fallback : null) ??
    DEFAULT_MAX_ACTIVE_CONCEPTS
  );
}

async function countActive(client: DataverseReader): Promise<number> {
  const rows = await client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    select: [idr_marketingconcept.idr_marketingconceptid],
    filter: `${idr_marketingconcept.statecode} eq ${ACTIVE}`,
  });
  return rows.length;
}

export function createConceptForm(dependencies: ConceptFormDependencies): ConceptFormHandlers {
  // What OnLoad found for each open form (keyed by its ui object): the limit message, if reached.
  const limitMessages = new WeakMap<object, string>();
  const saveMessageShown = new WeakSet<object>();

  const thresholdIssue = (form: Form, language: Language): string | null => {
    const enter = numberOf(form, idr_marketingconcept.idr_enterthreshold);
    const exit = numberOf(form, idr_marketingconcept.idr_exitthreshold);
    return enter !== null && exit !== null && thresholdsConflict(enter, exit)
      ? CONCEPT_MESSAGES[language].thresholds(enter, exit)
      : null;
  };

  const showThresholdIssue = (form: Form, language: Language): string | null => {
    const issue = thresholdIssue(form, language);
    for (const control of controlsOf(form, idr_marketingconcept.idr_exitthreshold)) {
      if (issue) control.setNotification(issue, THRESHOLD_NOTIFICATION_ID);
      else control.clearNotification(THRESHOLD_NOTIFICATION_ID);
    }
    return issue;
  };

  const issuesOf = (form: Form, language: Language): string[] => {
    const issues: string[] = [];
    const threshold = showThresholdIssue(form, language);
    if (threshold) issues.push(threshold);
    const limit = limitMessages.get(form.ui);
    if (limit && form.ui.getFormType() === FORM_TYPE_CREATE) issues.push(limit);
    return issues;
  };

  const refreshSaveMessage = (form: Form, language: Language, issues: string[], onSave: boolean): void => {
    if (issues.length === 0) {
      form.ui.clearFormNotification(SAVE_NOTIFICATION_ID);
      saveMessageShown.delete(form.ui);
    } else if (onSave || saveMessageShown.has(form.ui)) {
      form.ui.setFormNotification(
        CONCEPT_MESSAGES[language].cannotSave(issues.join(' ')),
        'ERROR',
        SAVE_NOTIFICATION_ID,
      );
      saveMessageShown.add(form.ui);
    }
  };

  return {
    onLoad: async (context) => {
      const form = context.getFormContext();
      const language = languageOf(context);
      showThresholdIssue(form, language);
      // Only a new concept becomes active by saving; activating an existing one is the Activate command.
      if (form.ui.getFormType() !== FORM_TYPE_CREATE) return;
      try {
        const client = dependencies.client();
        const [active, max] = await Promise.all([countActive(client), readMaxActive(client)]);
        if (!activeLimitReached(active, max)) {
          form.ui.clearFormNotification(LIMIT_NOTIFICATION_ID);
          return;
        }
        const message = CONCEPT_MESSAGES[language].limit(active, max);
        limitMessages.set(form.ui, message);
        form.ui.setFormNotification(message, 'WARNING', LIMIT_NOTIFICATION_ID);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        form.ui.setFormNotification(
          CONCEPT_MESSAGES[language].limitUnknown(reason),
          'INFO',
          LIMIT_NOTIFICATION_ID,
        );
      }
    },

    onThresholdChange: (context) => {
      const form = context.getFormContext();
      const language = languageOf(context);
      refreshSaveMessage(form, language, issuesOf(form, language), false);
    },

    onSave: (context) => {
      const form = context.getFormContext();
      const language = languageOf(context);
      const issues = issuesOf(form, language);
      if (issues.length > 0) context.getEventArgs().preventDefault();
      refreshSaveMessage(form, language, issues, true);
    },
  };
}
