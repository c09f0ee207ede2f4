/**
 * A typed ComponentFramework context for PCF control tests: parameters, a dataset with real paging,
 * sorting and filtering semantics, webAPI answered by the test, navigation and resources that record
 * what the control asked for. Nothing is global: each test builds its own context.
 *
 * Behaviour follows "Power Apps component framework API reference":
 * https://learn.microsoft.com/power-apps/developer/component-framework/reference/
 */

type EntityRecord = ComponentFramework.PropertyHelper.DataSetApi.EntityRecord;
type RawValue = ReturnType<EntityRecord['getValue']> | null;
type FilterExpression = ComponentFramework.PropertyHelper.DataSetApi.FilterExpression;
type ConditionExpression = ComponentFramework.PropertyHelper.DataSetApi.ConditionExpression;
type SortStatus = ComponentFramework.PropertyHelper.DataSetApi.SortStatus;
type LinkEntity = ComponentFramework.PropertyHelper.DataSetApi.LinkEntityExposedExpression;
type Column = ComponentFramework.PropertyHelper.DataSetApi.Column;

/** A member of the context the control used but the test did not provide. */
export class PcfMemberNotMockedError extends Error {
  constructor(readonly member: string) {
    super(
      `The control used context.${member}, which this test's PCF context does not provide: pass it to createPcfContext.`,
    );
    this.name = 'PcfMemberNotMockedError';
  }
}

/** A dataset filter the mock cannot evaluate (an operator other than those listed in the message). */
export class UnsupportedDatasetFilterError extends Error {
  constructor(readonly condition: ConditionExpression) {
    super(
      `The PCF dataset mock cannot evaluate operator ${condition.conditionOperator} on ${condition.attributeName}: ` +
        'supported are 0 (equal), 1 (not equal), 49 (like, % wildcards), 12 (null) and 13 (not null).',
    );
    this.name = 'UnsupportedDatasetFilterError';
  }
}

/** One test record: column name → raw value, and optional formatted values (lookups default to their name). */
export interface MockRecord {
  readonly id: string;
  readonly values: Readonly<Record<string, RawValue>>;
  readonly formatted?: Readonly<Record<string, string>>;
}

export interface MockDatasetOptions {
  readonly entityType: string;
  readonly records: readonly MockRecord[];
  readonly columns?: readonly Partial<Column>[];
  readonly pageSize?: number;
  /** Set to simulate a failed retrieval: the dataset reports `error` with this message. */
  readonly errorMessage?: string;
  /** Starts in the loading state (no records yet) until `finishLoading()`. */
  readonly loading?: boolean;
  readonly title?: string;
}

/** The dataset plus the handles a test uses to watch and drive it. */
export interface MockDataset extends ComponentFramework.PropertyTypes.DataSet {
  /** Refreshes asked for (refresh, loadNextPage, reset): the host then calls updateView. */
  readonly refreshCount: number;
  readonly openedItems: ComponentFramework.EntityReference[];
  finishLoading(): void;
  /** Called after each reload, as the platform calls updateView. */
  onReload: (() => void) | null;
}

function isReference(value: unknown): value is ComponentFramework.EntityReference {
  return typeof value === 'object' && value !== null && 'id' in value && 'name' in value;
}

function comparable(value: RawValue | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return value.length;
  if (isReference(value)) return (value.name ?? '').toLowerCase();
  return null;
}

function referenceId(value: RawValue | undefined): string | null {
  if (isReference(value)) return value.id.guid;
  return null;
}

function columnKey(name: string, alias?: string): string {
  return alias ? `${alias}.${name}` : name;
}

function conditionHolds(record: MockRecord, condition: ConditionExpression): boolean {
  const raw = record.values[columnKey(condition.attributeName, condition.entityAliasName)];
  const wanted = Array.isArray(condition.value) ? condition.value : [condition.value];
  const asText = (value: RawValue | undefined): string | null => {
    const id = referenceId(value);
    if (id !== null) return id.toLowerCase();
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean') return value ? '1' : '0';
    if (value instanceof Date) return value.toISOString();
    return typeof value === 'string' || typeof value === 'number' ? String(value).toLowerCase() : null;
  };
  const text = asText(raw);
  switch (condition.conditionOperator) {
    case 0:
      return wanted.some((w) => text === w.toLowerCase() || (w === 'true' && text === '1'));
    case 1:
      return !wanted.some((w) => text === w.toLowerCase());
    case 12:
      return text === null;
    case 13 as ComponentFramework.PropertyHelper.DataSetApi.Types.ConditionOperator:
      return text !== null;
    case 49: {
      const display = isReference(raw) ? (raw.name ?? '').toLowerCase() : text;
      const pattern = new RegExp(
        `^${wanted[0]
          .toLowerCase()
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')}$`,
      );
      return display !== null && pattern.test(display);
    }
    default:
      throw new UnsupportedDatasetFilterError(condition);
  }
}

function filterHolds(record: MockRecord, filter: FilterExpression | null): boolean {
  if (!filter) return true;
  const results = [
    ...filter.conditions.map((c) => conditionHolds(record, c)),
    ...(filter.filters ?? []).map((f) => filterHolds(record, f)),
  ];
  if (results.length === 0) return true;
  return filter.filterOperator === 1 ? results.some(Boolean) : results.every(Boolean);
}

function toEntityRecord(record: MockRecord, entityType: string): EntityRecord {
  return {
    getRecordId: () => record.id,
    getValue: (column) => record.values[column] as ReturnType<EntityRecord['getValue']>,
    getFormattedValue: (column) => {
      const formatted = record.formatted?.[column];
      if (formatted !== undefined) return formatted;
      const value = record.values[column];
      if (isReference(value)) return value.name ?? '';
      if (value instanceof Date) return value.toISOString();
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    },
    getNamedReference: () => ({ id: { guid: record.id }, name: '', etn: entityType }),
  };
}

/** A dataset that pages, sorts and filters its records in memory the way the platform does on the server. */
export function createMockDataset(options: MockDatasetOptions): MockDataset {
  const pageSize = options.pageSize ?? 25;
  let filter: FilterExpression | null = null;
  let loadedPages = 1;
  let refreshCount = 0;
  const linked: LinkEntity[] = [];
  const openedItems: ComponentFramework.EntityReference[] = [];
  const columns: Column[] = (options.columns ?? []).map((c, order) => ({
    name: c.name ?? `column${order}`,
    displayName: c.displayName ?? c.name ?? '',
    dataType: c.dataType ?? 'SingleLine.Text',
    alias: c.alias ?? c.name ?? '',
    order: c.order ?? order,
    visualSizeFactor: c.visualSizeFactor ?? 100,
  }));

  const matching = (): MockRecord[] => {
    const rows = options.records.filter((r) => filterHolds(r, filter));
    const sorts = dataset.sorting.filter((s) => s.sortDirection !== -1);
    if (sorts.length === 0) return rows;
    return [...rows].sort((a, b) => {
      for (const sort of sorts) {
        const x = comparable(a.values[sort.name]);
        const y = comparable(b.values[sort.name]);
        if (x === y) continue;
        // Dataverse sorts nulls first ascending, last descending.
        const order = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        return sort.sortDirection === 1 ? -order : order;
      }
      return 0;
    });
  };

  const load = (): void => {
    const all = matching();
    const visible = all.slice(0, loadedPages * pageSize);
    const records: Record<string, EntityRecord> = {};
    for (const record of visible) records[record.id] = toEntityRecord(record, options.entityType);
    dataset.records = records;
    dataset.sortedRecordIds = visible.map((r) => r.id);
    dataset.paging.totalResultCount = all.length;
    dataset.paging.hasNextPage = visible.length < all.length;
    dataset.paging.lastPageNumber = loadedPages;
  };

  const reload = (): void => {
    refreshCount += 1;
    if (!dataset.loading && !dataset.error) load();
    dataset.onReload?.();
  };

  const paging: ComponentFramework.PropertyHelper.DataSetApi.Paging = {
    totalResultCount: 0,
    firstPageNumber: 1,
    lastPageNumber: 1,
    pageSize,
    hasNextPage: false,
    hasPreviousPage: false,
    loadNextPage: () => {
      if (!paging.hasNextPage) return;
      loadedPages += 1;
      reload();
    },
    loadPreviousPage: () => undefined,
    reset: () => {
      loadedPages = 1;
      reload();
    },
    setPageSize: (size) => {
      paging.pageSize = size;
    },
    loadExactPage: (page) => {
      loadedPages = page;
      reload();
    },
  };

  const dataset: MockDataset = {
    get refreshCount() {
      return refreshCount;
    },
    openedItems,
    onReload: null,
    addColumn: () => undefined,
    columns,
    error: options.errorMessage !== undefined,
    errorMessage: options.errorMessage ?? '',
    filtering: {
      getFilter: () => filter ?? { conditions: [], filterOperator: 0 },
      setFilter: (expression) => {
        filter = expression;
      },
      clearFilter: () => {
        filter = null;
      },
    },
    linking: {
      getLinkedEntities: () => [...linked],
      addLinkedEntity: (expression) => {
        if (!linked.some((l) => l.alias === expression.alias)) linked.push(expression);
      },
    },
    loading: options.loading ?? false,
    paging,
    records: {},
    sortedRecordIds: [],
    sorting: [] as SortStatus[],
    clearSelectedRecordIds: () => undefined,
    getSelectedRecordIds: () => [],
    getTargetEntityType: () => options.entityType,
    getTitle: () => options.title ?? options.entityType,
    getViewId: () => '00000000-0000-0000-0000-000000000000',
    openDatasetItem: (reference) => {
      openedItems.push(reference);
    },
    refresh: () => {
      loadedPages = 1;
      reload();
    },
    setSelectedRecordIds: () => undefined,
    finishLoading: () => {
      dataset.loading = false;
      load();
      dataset.onReload?.();
    },
  };
  if (!dataset.loading && !dataset.error) load();
  return dataset;
}

/** One call the control made through context.webAPI. */
export interface PcfWebApiCall {
  readonly operation: 'retrieveMultipleRecords' | 'retrieveRecord';
  readonly entityType: string;
  readonly options?: string;
  readonly id?: string;
}

/** The test's answer to a webAPI read: entities, or throw to simulate a failure. */
export type WebApiResponder = (
  call: PcfWebApiCall,
) => ComponentFramework.WebApi.Entity[] | Promise<ComponentFramework.WebApi.Entity[]>;

/** A webAPI error as the platform reports one (ComponentFramework.ErrorResponse). */
export class MockWebApiError extends Error {
  constructor(
    message: string,
    readonly errorCode = 0x80040217,
  ) {
    super(message);
    this.name = 'MockWebApiError';
  }
}

export interface OpenFormCall {
  readonly entityName?: string;
  readonly entityId?: string;
}

export interface PcfContextOptions<TInputs> {
  readonly parameters: TInputs;
  readonly webApi?: WebApiResponder;
  /** Resource strings by key (the control's .resx); a missing key returns the key, as the platform does. */
  readonly strings?: Readonly<Record<string, string>>;
  readonly languageId?: number;
  readonly userId?: string;
  readonly fluentDesignLanguage?: ComponentFramework.FluentDesignState;
  /** The record the form shows (context.mode.contextInfo). */
  readonly entityId?: string;
  readonly entityTypeName?: string;
  readonly allocatedHeight?: number;
  readonly allocatedWidth?: number;
  readonly disabled?: boolean;
  /**
   * Members a host provides beyond what tests answer (the emulator's pages: a webAPI over fetch, an
   * openForm that navigates, requestRender, formatting); each replaces or adds to the mock's member.
   */
  readonly members?: PcfContextMembers;
}

export interface PcfContextMembers {
  readonly webAPI?: Partial<ComponentFramework.WebApi>;
  readonly navigation?: Partial<ComponentFramework.Navigation>;
  readonly userSettings?: Partial<ComponentFramework.UserSettings>;
  readonly factory?: Partial<ComponentFramework.Factory>;
  readonly formatting?: Partial<ComponentFramework.Formatting>;
  readonly utils?: Partial<ComponentFramework.Utility>;
}

export interface PcfTestContext<TInputs> {
  readonly context: ComponentFramework.Context<TInputs>;
  readonly webApiCalls: PcfWebApiCall[];
  readonly openedForms: OpenFormCall[];
  readonly notifications: { setControlState: number; resizeTracked: boolean };
}

function notMocked<T extends object>(path: string, provided: Partial<T>): T {
  return new Proxy(provided, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || property in target) return Reflect.get(target, property, receiver);
      // Promise-resolution and jest's pretty-format probe these; they are not platform members.
      if (property === 'then' || property === 'toJSON' || property === '$$typeof') return undefined;
      throw new PcfMemberNotMockedError(`${path}.${property}`);
    },
  }) as T;
}

/** Builds a context whose unmocked members throw PcfMemberNotMockedError naming the member. */
export function createPcfContext<TInputs>(options: PcfContextOptions<TInputs>): PcfTestContext<TInputs> {
  const webApiCalls: PcfWebApiCall[] = [];
  const openedForms: OpenFormCall[] = [];
  const notifications = { setControlState: 0, resizeTracked: false };
  const answer = async (call: PcfWebApiCall): Promise<ComponentFramework.WebApi.Entity[]> => {
    webApiCalls.push(call);
    if (!options.webApi) throw new PcfMemberNotMockedError(`webAPI.${call.operation}`);
    return options.webApi(call);
  };
  const webAPI = notMocked<ComponentFramework.WebApi>('webAPI', {
    retrieveMultipleRecords: async (entityType, query) => ({
      entities: await answer({
        operation: 'retrieveMultipleRecords',
        entityType,
        ...(query !== undefined ? { options: query } : {}),
      }),
      nextLink: '',
    }),
    retrieveRecord: async (entityType, id, query) => {
      const [entity] = await answer({
        operation: 'retrieveRecord',
        entityType,
        id,
        ...(query !== undefined ? { options: query } : {}),
      });
      if (!entity) throw new MockWebApiError(`${entityType} with id ${id} does not exist.`);
      return entity;
    },
    ...options.members?.webAPI,
  });
  const navigation = notMocked<ComponentFramework.Navigation>('navigation', {
    openForm: (formOptions) => {
      openedForms.push({
        ...(formOptions.entityName !== undefined ? { entityName: formOptions.entityName } : {}),
        ...(formOptions.entityId !== undefined ? { entityId: formOptions.entityId } : {}),
      });
      return Promise.resolve({ savedEntityReference: [] });
    },
    ...options.members?.navigation,
  });
  const strings = options.strings ?? {};
  const resources = notMocked<ComponentFramework.Resources>('resources', {
    getString: (id) => strings[id] ?? id,
  });
  const userSettings = notMocked<ComponentFramework.UserSettings>('userSettings', {
    languageId: options.languageId ?? 1033,
    userId: options.userId ?? '{00000000-0000-0000-0000-00000000000a}',
    userName: 'Test User',
    isRTL: false,
    ...options.members?.userSettings,
  });
  // contextInfo (the form's record) is on the runtime object though not in the published typings.
  const modeMembers: Partial<ComponentFramework.Mode> & { contextInfo: Record<string, string> } = {
    allocatedHeight: options.allocatedHeight ?? -1,
    allocatedWidth: options.allocatedWidth ?? 800,
    isControlDisabled: options.disabled ?? false,
    isVisible: true,
    label: 'control',
    setControlState: () => {
      notifications.setControlState += 1;
      return true;
    },
    setFullScreen: () => undefined,
    trackContainerResize: (value) => {
      notifications.resizeTracked = value;
    },
    contextInfo: {
      entityId: options.entityId ?? '',
      entityTypeName: options.entityTypeName ?? '',
      entityRecordName: '',
    },
  };
  const mode = notMocked<ComponentFramework.Mode>('mode', modeMembers);
  const context = notMocked<ComponentFramework.Context<TInputs>>('', {
    parameters: options.parameters,
    updatedProperties: [],
    webAPI,
    navigation,
    resources,
    userSettings,
    mode,
    // Optional on the platform (older hosts): reading it gives undefined, never throws.
    fluentDesignLanguage: options.fluentDesignLanguage,
    client: notMocked<ComponentFramework.Client>('client', {
      disableScroll: false,
      getFormFactor: () => 1,
      getClient: () => 'Web',
      isOffline: () => false,
      isNetworkAvailable: () => true,
    }),
    ...(options.members?.factory
      ? { factory: notMocked<ComponentFramework.Factory>('factory', options.members.factory) }
      : {}),
    ...(options.members?.formatting
      ? { formatting: notMocked<ComponentFramework.Formatting>('formatting', options.members.formatting) }
      : {}),
    ...(options.members?.utils
      ? { utils: notMocked<ComponentFramework.Utility>('utils', options.members.utils) }
      : {}),
  });
  return { context, webApiCalls, openedForms, notifications };
}

/** A bound column property (ComponentFramework.PropertyTypes.Property) holding `raw`. */
export function mockProperty<T>(
  raw: T | null,
  formatted?: string,
): ComponentFramework.PropertyTypes.Property & { raw: T | null } {
  return {
    raw,
    error: false,
    errorMessage: '',
    formatted: formatted ?? (raw === null ? '' : String(raw)),
    security: { editable: true, readable: true, secured: false },
    type: 'SingleLine.Text',
    attributes: undefined,
  };
}
