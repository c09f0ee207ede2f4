import type { EntityRecord } from '../../dataverse/client';
import { opportunity } from '../../dataverse/generated';
import {
  createForm,
  FormScriptError,
  generatedTables,
  HandlerNotFoundError,
  InvalidValueError,
  NoWebApiError,
  memoryClient,
  UnknownColumnError,
  type XrmErrorResponse,
} from './index';

const ID = '6c2ea4a1-0c53-4a8e-9b7e-000000000001';
const rows = (...records: EntityRecord[]) =>
  memoryClient(generatedTables(), { [opportunity.entitySetName]: records });

const c = opportunity.columns;

describe('createForm: attributes from the generated column types', () => {
  it('builds each column as the attribute type Dynamics uses for it', () => {
    const form = createForm({ table: opportunity });
    const type = (name: (typeof c)[keyof typeof c]) => form.attribute(name).getAttributeType();
    expect(type(c.estimatedvalue)).toBe('money');
    expect(type(c.closeprobability)).toBe('integer');
    expect(type(c.estimatedclosedate)).toBe('datetime');
    expect(type(c.opportunityratingcode)).toBe('optionset');
    expect(type(c.customerid)).toBe('lookup');
    expect(type(c.name)).toBe('string');
    expect(type(c.description)).toBe('memo');
    const rating = form.attribute<Xrm.Attributes.OptionSetAttribute>(c.opportunityratingcode);
    expect(rating.getOptions().map((o) => o.value)).toEqual(
      Object.values(opportunity.choices.opportunityratingcode),
    );
    expect(form.control<Xrm.Controls.LookupControl>(c.customerid).getEntityTypes()).toEqual(
      opportunity.lookupTargets.customerid,
    );
  });

  it('puts only the given fields on the form, like a form that does not show every column', () => {
    const form = createForm({ table: opportunity, fields: [c.name] });
    expect(form.formContext.getAttribute(c.estimatedvalue)).toBeNull();
    expect(() => form.value(c.estimatedvalue)).toThrow(UnknownColumnError);
  });

  it('opens with the record values, none of them dirty; a typed value is dirty', () => {
    const form = createForm({
      table: opportunity,
      id: '{6c2ea4a1-0c53-4a8e-9b7e-000000000001}',
      values: { [c.name]: 'Group', [c.estimatedvalue]: 1200 },
    });
    expect(form.formType()).toBe('update');
    expect(form.value(c.estimatedvalue)).toBe(1200);
    expect(form.isDirty(c.estimatedvalue)).toBe(false);
    form.setValue(c.estimatedvalue, 1300);
    expect(form.isDirty(c.estimatedvalue)).toBe(true);
    expect(form.formContext.data.entity.getIsDirty()).toBe(true);
  });

  it('turns a YYYY-MM-DD date into local midnight, as a date control holds it', () => {
    const form = createForm({ table: opportunity, values: { [c.estimatedclosedate]: '2026-10-25' } });
    const value = form.value(c.estimatedclosedate) as Date;
    expect([value.getFullYear(), value.getMonth(), value.getDate(), value.getHours()]).toEqual([
      2026, 9, 25, 0,
    ]);
    expect(form.dateValue(c.estimatedclosedate)).toBe('2026-10-25');
  });

  it('rejects values that do not fit the column, and columns the table does not have', () => {
    expect(() => createForm({ table: opportunity, values: { [c.estimatedvalue]: 'a lot' } })).toThrow(
      InvalidValueError,
    );
    expect(() =>
      createForm({ table: opportunity, values: { [c.estimatedclosedate]: '25/10/2026' } }),
    ).toThrow(/YYYY-MM-DD/);
    const form = createForm({ table: opportunity });
    expect(() => form.setValue('nosuchcolumn' as typeof c.name, 'x')).toThrow(UnknownColumnError);
  });

  it('reports requirement levels and locked fields, as designed and as the script changes them', () => {
    const form = createForm({
      table: opportunity,
      requiredLevels: { [c.name]: 'required' },
      disabled: [c.estimatedvalue],
    });
    expect(form.requiredLevel(c.name)).toBe('required');
    expect(form.requiredLevel(c.description)).toBe('none');
    expect(form.isDisabled(c.estimatedvalue)).toBe(true);
    form.attribute(c.description).setRequiredLevel('recommended');
    form.control(c.name).setDisabled(true);
    expect(form.requiredLevel(c.description)).toBe('recommended');
    expect(form.isDisabled(c.name)).toBe(true);
  });
});

describe('events', () => {
  it('runs OnChange only when the user leaves the field, with the attribute as event source', async () => {
    const form = createForm({ table: opportunity });
    const seen: unknown[] = [];
    form.onChange(c.estimatedvalue, (context) => {
      seen.push(context.getEventSource());
      context.getFormContext().getAttribute(c.description)?.setValue('changed');
    });
    form.setValue(c.estimatedvalue, 10);
    expect(seen).toHaveLength(0);
    await form.fireOnChange(c.estimatedvalue);
    expect(seen).toEqual([form.formContext.getAttribute(c.estimatedvalue)]);
    expect(form.value(c.description)).toBe('changed');
  });

  it("runs handlers a script adds with addOnChange, also when the script calls the attribute's fireOnChange", async () => {
    const form = createForm({ table: opportunity });
    let changes = 0;
    form.onLoad((context) => {
      const formContext = context.getFormContext();
      formContext.getAttribute(c.name)?.addOnChange(() => (changes += 1));
      formContext.getAttribute(c.name)?.fireOnChange();
    });
    await form.load();
    expect(changes).toBe(1);
    await form.change(c.name, 'Group');
    expect(changes).toBe(2);
  });

  it('fires Loaded handlers after every OnLoad handler, including ones OnLoad added', async () => {
    const form = createForm({ table: opportunity });
    const order: string[] = [];
    form.onLoad((context) => {
      order.push('onload');
      context.getFormContext().ui.addLoaded(() => order.push('loaded'));
    });
    await form.load();
    expect(order).toEqual(['onload', 'loaded']);
  });

  it('waits for an async OnLoad handler before load() resolves', async () => {
    const form = createForm({ table: opportunity });
    form.onLoad(async (context) => {
      await Promise.resolve();
      context.getFormContext().getAttribute(c.name)?.setValue('loaded');
    });
    await form.load();
    expect(form.value(c.name)).toBe('loaded');
  });

  it('reports a throwing handler as the script error a user would see, naming the handler', async () => {
    const form = createForm({ table: opportunity });
    form.onChange(
      c.name,
      () => {
        throw new TypeError('x is undefined');
      },
      'Contoso.onNameChange',
    );
    await expect(form.change(c.name, 'a')).rejects.toThrow(FormScriptError);
    await expect(form.fireOnChange(c.name)).rejects.toThrow(
      /Contoso\.onNameChange failed on onchange of name: TypeError: x is undefined/,
    );
  });

  it('wires handlers by the dotted names FormXml uses, and says which one is missing', async () => {
    const calls: string[] = [];
    const library = {
      Contoso: { Opportunity: { onLoad: () => calls.push('load'), onNameChange: () => calls.push('name') } },
    };
    const form = createForm({
      table: opportunity,
      form: {
        fields: [c.name, c.description],
        handlers: [
          { event: 'onload', functionName: 'Contoso.Opportunity.onLoad' },
          { event: 'onchange', attribute: c.name, functionName: 'Contoso.Opportunity.onNameChange' },
        ],
      },
      library,
    });
    await form.load();
    await form.change(c.name, 'x');
    await form.change(c.description, 'y');
    expect(calls).toEqual(['load', 'name']);
    expect(() =>
      form.registerHandlers([{ event: 'onsave', functionName: 'Contoso.Opportunity.onSave' }], library),
    ).toThrow(HandlerNotFoundError);
  });

  it('hands every handler the user language and a form context, without a global Xrm', async () => {
    const form = createForm({ table: opportunity, userLanguage: 3082 });
    let language: number | undefined;
    form.onLoad((context) => {
      language = context.getContext().userSettings.languageId;
    });
    await form.load();
    expect(language).toBe(3082);
    expect(form.xrm.Utility.getGlobalContext().userSettings.languageId).toBe(3082);
    expect('Xrm' in globalThis).toBe(false);
    expect(() => form.xrm.Page).toThrow(/executionContext.getFormContext/);
  });
});

describe('notifications', () => {
  it('keeps control notifications by id: the latest shows, clearing one reveals the other', () => {
    const form = createForm({ table: opportunity });
    const control = form.control(c.estimatedvalue);
    expect(form.fieldNotification(c.estimatedvalue)).toBeUndefined();
    control.setNotification('Too low', 'low');
    control.setNotification('Not a round number', 'round');
    control.setNotification('Far too low', 'low');
    expect(form.fieldNotification(c.estimatedvalue)).toBe('Far too low');
    expect(form.fieldNotifications(c.estimatedvalue).map((n) => n.uniqueId)).toEqual(['round', 'low']);
    expect(control.clearNotification('low')).toBe(true);
    expect(form.fieldNotification(c.estimatedvalue)).toBe('Not a round number');
    expect(control.clearNotification()).toBe(true);
    expect(form.fieldNotification(c.estimatedvalue)).toBeUndefined();
    expect(control.clearNotification('low')).toBe(false);
  });

  it('records form notifications with their level, replaces by id and clears', () => {
    const form = createForm({ table: opportunity });
    const ui = form.formContext.ui;
    ui.setFormNotification('Check the dates', 'WARNING', 'dates');
    ui.setFormNotification('Saved offline', 'INFO', 'offline');
    ui.setFormNotification('Fix the dates', 'ERROR', 'dates');
    expect(form.formNotifications()).toEqual([
      { id: 'dates', level: 'ERROR', message: 'Fix the dates' },
      { id: 'offline', level: 'INFO', message: 'Saved offline' },
    ]);
    expect(ui.clearFormNotification('dates')).toBe(true);
    expect(ui.clearFormNotification('dates')).toBe(false);
    expect(form.formNotifications()).toEqual([{ id: 'offline', level: 'INFO', message: 'Saved offline' }]);
  });
});

describe('save', () => {
  it('saves a valid new record: values no longer dirty, the form becomes an update form with an id', async () => {
    const form = createForm({ table: opportunity });
    expect(form.formContext.data.entity.getId()).toBe('');
    form.setValue(c.name, 'Group');
    const result = await form.save();
    expect(result).toEqual({ prevented: false, blockedBy: [], saved: true });
    expect(form.isDirty(c.name)).toBe(false);
    expect(form.formType()).toBe('update');
    expect(form.formContext.data.entity.getId()).toMatch(/^\{[0-9a-f-]{36}\}$/);
  });

  it('records preventDefault from an OnSave handler, also one added by the script', async () => {
    const form = createForm({ table: opportunity });
    form.onLoad((context) =>
      context
        .getFormContext()
        .data.entity.addOnSave((save: Xrm.Events.SaveEventContext) => save.getEventArgs().preventDefault()),
    );
    await form.load();
    form.setValue(c.name, 'Group');
    expect(await form.save()).toEqual({ prevented: true, blockedBy: [], saved: false });
    expect(form.isDirty(c.name)).toBe(true);
    expect(form.formType()).toBe('create');
  });

  it('is blocked by an error notification on a control even when no handler prevents it', async () => {
    const form = createForm({ table: opportunity });
    form.control(c.estimatedvalue).setNotification('Too low', 'low');
    form.control(c.name).addNotification({
      messages: ['Consider a longer name'],
      notificationLevel: 'RECOMMENDATION',
      uniqueId: 'hint',
    });
    expect(await form.save()).toEqual({ prevented: false, blockedBy: [c.estimatedvalue], saved: false });
  });
  it('runs the same save from formContext.data.save(), rejecting when the save is cancelled', async () => {
    const form = createForm({ table: opportunity });
    let blocked = true;
    form.onSave((context) => {
      if (blocked) (context as Xrm.Events.SaveEventContext).getEventArgs().preventDefault();
    });
    form.setValue(c.name, 'Group');
    await expect(Promise.resolve(form.formContext.data.save())).rejects.toThrow(/cancelled/);
    expect(form.formContext.data.getIsDirty()).toBe(true);
    blocked = false;
    await form.formContext.data.save();
    expect(form.formContext.data.getIsDirty()).toBe(false);
  });
});

describe('PostSave', () => {
  /** A script that tells the user how the save went, as form scripts do from PostSave. */
  const reportSaves = (context: Xrm.Events.EventContext) =>
    context.getFormContext().data.entity.addOnPostSave((post: Xrm.Events.PostSaveEventContext) => {
      const args = post.getEventArgs();
      const ref = args.getEntityReference();
      const error = args.getSaveErrorInfo() as { errorCode: number; message: string } | null;
      post
        .getFormContext()
        .ui.setFormNotification(
          args.getIsSaveSuccess()
            ? `Saved ${ref.entityType} ${ref.name ?? ''} ${ref.id}`
            : `Not saved (${error?.errorCode ?? '?'}): ${error?.message ?? ''}`,
          args.getIsSaveSuccess() ? 'INFO' : 'ERROR',
          'postsave',
        );
    });

  it('runs addOnPostSave handlers after a save, with the new record as entity reference', async () => {
    const form = createForm({ table: opportunity });
    form.onLoad(reportSaves);
    await form.load();
    form.setValue(c.name, 'Group');
    expect(form.formNotifications()).toEqual([]);
    expect(await form.save()).toEqual({ prevented: false, blockedBy: [], saved: true });
    const id = form.formContext.data.entity.getId().toUpperCase();
    expect(form.formNotifications()).toEqual([
      { message: `Saved opportunity Group ${id}`, level: 'INFO', id: 'postsave' },
    ]);
  });

  it('tells PostSave handlers when the server refused the save; the changes stay on the form', async () => {
    const form = createForm({ table: opportunity });
    form.onLoad(reportSaves);
    await form.load();
    form.setValue(c.name, 'Group');
    const refuse = { errorCode: -2147220891, message: 'The departure is before the arrival.' };
    expect(await form.save(1, { refuse })).toEqual({
      prevented: false,
      blockedBy: [],
      saved: false,
      serverError: refuse,
    });
    expect(form.formNotifications()).toEqual([
      {
        message: 'Not saved (-2147220891): The departure is before the arrival.',
        level: 'ERROR',
        id: 'postsave',
      },
    ]);
    expect(form.isDirty(c.name)).toBe(true);
    expect(form.formType()).toBe('create');
  });

  it('does not run PostSave when OnSave cancelled the save, as nothing reached the server', async () => {
    const form = createForm({ table: opportunity });
    form.onLoad(reportSaves);
    form.onSave((context) => (context as Xrm.Events.SaveEventContext).getEventArgs().preventDefault());
    await form.load();
    expect((await form.save()).saved).toBe(false);
    expect(form.formNotifications()).toEqual([]);
  });

  it('writes through the caller between OnSave and PostSave: the stored id, a refusal, or nothing', async () => {
    const stored = 'a1b2c3d4-0000-4000-8000-00000000abcd';
    const steps: string[] = [];
    const form = createForm({ table: opportunity });
    form.onLoad(reportSaves);
    form.onSave(() => void steps.push('onsave'));
    await form.load();
    form.setValue(c.name, 'Group');
    const refused = await form.save(1, {
      write: () => {
        steps.push('write');
        return Promise.resolve({ refused: { errorCode: -2147220891, message: 'Duplicate key.' } });
      },
    });
    expect(refused.saved).toBe(false);
    expect(form.formNotifications()[0]?.message).toBe('Not saved (-2147220891): Duplicate key.');
    expect(form.formType()).toBe('create');

    // A write that fails before reaching the server (a required field) ends the save with no PostSave.
    form.formContext.ui.clearFormNotification('postsave');
    const stopped = new Error('Name is required');
    await expect(form.save(1, { write: () => Promise.reject(stopped) })).rejects.toBe(stopped);
    expect(form.formNotifications()).toEqual([]);

    const saved = await form.save(1, { write: () => Promise.resolve({ id: stored }) });
    expect(saved.saved).toBe(true);
    expect(steps).toEqual(['onsave', 'write', 'onsave', 'onsave']);
    expect(form.formContext.data.entity.getId()).toBe(`{${stored.toUpperCase()}}`);
    expect(form.formNotifications()).toEqual([
      { message: `Saved opportunity Group {${stored.toUpperCase()}}`, level: 'INFO', id: 'postsave' },
    ]);
    expect(form.isDirty(c.name)).toBe(false);
  });

  it('removes exactly the handler a script removes, from OnSave and from PostSave', async () => {
    const form = createForm({ table: opportunity, id: ID });
    const ran: string[] = [];
    const entity = form.formContext.data.entity;
    const onSave = ['a', 'b', 'c'].map((name) => () => void ran.push(`save ${name}`));
    const postSave = ['a', 'b', 'c'].map((name) => () => void ran.push(`post ${name}`));
    for (const handler of onSave) entity.addOnSave(handler);
    for (const handler of postSave) entity.addOnPostSave(handler);
    entity.removeOnSave(onSave[1]);
    entity.removeOnPostSave(postSave[0]);
    // Removing a handler that was never added changes nothing.
    entity.removeOnSave(() => undefined);
    entity.removeOnPostSave(() => undefined);
    await form.save();
    expect(ran).toEqual(['save a', 'save c', 'post b', 'post c']);
  });
});

describe('Xrm.WebApi', () => {
  it('serves a DataverseClient through Xrm.WebApi: logical name to entity set, options to a query', async () => {
    const client = rows(
      { [c.opportunityid]: ID, [c.name]: 'Hot group', [c.closeprobability]: 80 },
      {
        [c.opportunityid]: '6c2ea4a1-0c53-4a8e-9b7e-000000000002',
        [c.name]: 'Cold group',
        [c.closeprobability]: 10,
      },
    );
    const form = createForm({ table: opportunity, webApi: client });
    const result = await form.xrm.WebApi.retrieveMultipleRecords(
      opportunity.logicalName,
      `?$select=${c.name}&$filter=${c.closeprobability} eq 80&$top=5`,
    );
    expect(result.entities).toEqual([{ [c.opportunityid]: ID, [c.name]: 'Hot group' }]);
    expect(client.reads).toEqual([
      {
        entitySet: opportunity.entitySetName,
        query: { select: [c.name], filter: `${c.closeprobability} eq 80`, top: 5 },
      },
    ]);
    expect(form.webApiCalls.map((call) => call.operation)).toEqual(['retrieveMultipleRecords']);
  });

  it('rejects a missing record the way Xrm.WebApi does, with the Dataverse error code', async () => {
    const form = createForm({ table: opportunity, webApi: rows() });
    const error = await Promise.resolve(
      form.xrm.WebApi.retrieveRecord<EntityRecord>(
        opportunity.logicalName,
        '6c2ea4a1-0c53-4a8e-9b7e-000000000009',
      ),
    ).then(
      () => undefined,
      (e: unknown) => e as XrmErrorResponse,
    );
    expect(error).toMatchObject({ errorCode: 0x80040217 });
    expect(error?.message).toMatch(/Does Not Exist/);
  });

  it('uses an Xrm.WebApi fake as given, and fails clearly when the test gave none', async () => {
    const fake = createForm({
      table: opportunity,
      webApi: rows({ [c.opportunityid]: ID, [c.name]: 'From the fake' }),
    }).xrm.WebApi;
    const form = createForm({ table: opportunity, webApi: fake });
    expect((await form.xrm.WebApi.retrieveMultipleRecords(opportunity.logicalName)).entities).toHaveLength(1);
    const bare = createForm({ table: opportunity });
    await expect(
      Promise.resolve(bare.xrm.WebApi.retrieveMultipleRecords(opportunity.logicalName)),
    ).rejects.toThrow(NoWebApiError);
  });
});
