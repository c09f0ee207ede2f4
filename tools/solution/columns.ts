/** Columns (`<attribute>` in Entity.xml): types, required levels, date behaviours and choices. */
import type { ColumnModel, ColumnType, OptionModel } from './model';
import { OBJECT_TYPE_CODES, toIdentifier } from './platform-names';
import { type Reader } from './reader';
import {
  type XmlElement,
  attr,
  child,
  childrenNamed,
  flag,
  intOf,
  labelsOf,
  lower,
  own,
  textOf,
} from './source-xml';

const TYPES: Readonly<Record<string, ColumnType>> = {
  primarykey: 'Uniqueidentifier',
  uniqueidentifier: 'Uniqueidentifier',
  nvarchar: 'String',
  varchar: 'String',
  char: 'String',
  nchar: 'String',
  ntext: 'Memo',
  text: 'Memo',
  int: 'Integer',
  smallint: 'Integer',
  tinyint: 'Integer',
  bigint: 'BigInt',
  decimal: 'Decimal',
  numeric: 'Decimal',
  float: 'Double',
  real: 'Double',
  money: 'Money',
  smallmoney: 'Money',
  bit: 'Boolean',
  datetime: 'DateTime',
  smalldatetime: 'DateTime',
  picklist: 'Picklist',
  state: 'State',
  status: 'Status',
  lookup: 'Lookup',
  customer: 'Customer',
  owner: 'Owner',
  entityname: 'EntityName',
  partylist: 'PartyList',
};

const REQUIRED_LEVELS: Readonly<Record<string, ColumnModel['requiredLevel']>> = {
  none: 'none',
  recommended: 'recommended',
  required: 'required',
  applicationrequired: 'required',
  systemrequired: 'systemrequired',
};

const DATE_BEHAVIORS: Readonly<Record<string, ColumnModel['dateBehavior']>> = {
  '1': 'UserLocal',
  '2': 'DateOnly',
  '3': 'TimeZoneIndependent',
  userlocal: 'UserLocal',
  dateonly: 'DateOnly',
  timezoneindependent: 'TimeZoneIndependent',
};

export function readOptions(
  r: Reader,
  optionSet: XmlElement | undefined,
  kind: 'options' | 'states' | 'statuses',
): OptionModel[] {
  const container = child(optionSet, kind);
  const options: OptionModel[] = [];
  for (const el of container?.children ?? []) {
    const value = intOf(attr(el, 'value'));
    if (value === undefined) continue;
    const label = labelsOf(child(el, 'labels'));
    const option: OptionModel = {
      value,
      label,
      identifier: toIdentifier(label[1033] ?? attr(el, 'invariantname') ?? '', `_${value}`),
    };
    const state = intOf(attr(el, 'state'));
    if (state !== undefined) option.state = state;
    r.positions.set(option, el.line);
    options.push(option);
  }
  return options;
}

export interface TableContext {
  logicalName: string;
  prefix: string;
  file: string;
  isPlatform: boolean;
}

export function readColumn(r: Reader, el: XmlElement, ctx: TableContext): ColumnModel | undefined {
  const physical = attr(el, 'PhysicalName') ?? '';
  const logicalName = lower(textOf(el, 'LogicalName') || textOf(el, 'Name') || physical);
  if (!logicalName) {
    r.report(
      'missing-column-type',
      ctx.file,
      el.line,
      `a column on ${ctx.logicalName} has no name`,
      'Give the <attribute> a PhysicalName and a <LogicalName>.',
    );
    return undefined;
  }
  const rawType = lower(textOf(el, 'Type') ?? '');
  if (!rawType) {
    r.report(
      'missing-column-type',
      ctx.file,
      el.line,
      `column ${logicalName} on ${ctx.logicalName} has no <Type>`,
      `Add <Type> to the attribute (one of ${Object.keys(TYPES).join(', ')}).`,
    );
    return undefined;
  }
  let type = own(TYPES, rawType);
  if (!type) {
    r.report(
      'unknown-column-type',
      ctx.file,
      child(el, 'Type')?.line ?? el.line,
      `column ${logicalName} on ${ctx.logicalName} has type "${rawType}", which Ideario does not read`,
      `Use one of ${Object.keys(TYPES).join(', ')}.`,
    );
    return undefined;
  }
  const customFlag = textOf(el, 'IsCustomField');
  const column: ColumnModel = {
    logicalName,
    type,
    displayName: labelsOf(child(el, 'displaynames')),
    description: labelsOf(child(el, 'Descriptions')),
    requiredLevel: own(REQUIRED_LEVELS, lower(textOf(el, 'RequiredLevel') ?? 'none')) ?? 'none',
    isCustom:
      customFlag !== undefined
        ? flag(customFlag)
        : !ctx.isPlatform && logicalName.startsWith(`${ctx.prefix}_`),
  };
  const maxLength = intOf(textOf(el, 'MaxLength'));
  if (maxLength !== undefined && (type === 'String' || type === 'Memo')) column.maxLength = maxLength;
  const minValue = intOf(textOf(el, 'MinValue'));
  const maxValue = intOf(textOf(el, 'MaxValue'));
  if (minValue !== undefined) column.minValue = minValue;
  if (maxValue !== undefined) column.maxValue = maxValue;
  const precision = intOf(textOf(el, 'Accuracy'));
  if (precision !== undefined) column.precision = precision;
  const format = textOf(el, 'Format');
  if (format) column.format = lower(format);
  if (type === 'DateTime') {
    const behavior = own(DATE_BEHAVIORS, lower(textOf(el, 'Behavior') ?? '1')) ?? 'UserLocal';
    column.dateBehavior = behavior;
    if (behavior === 'DateOnly') type = column.type = 'DateOnly';
  }
  const optionSetName = textOf(el, 'OptionSetName');
  const optionSet = child(el, 'optionset');
  if (optionSetName) column.optionSetName = lower(optionSetName);
  else if (optionSet && flag(textOf(optionSet, 'IsGlobal')) && attr(optionSet, 'Name'))
    column.optionSetName = lower(attr(optionSet, 'Name') ?? '');
  else if (optionSet) {
    const kind = type === 'State' ? 'states' : type === 'Status' ? 'statuses' : 'options';
    column.options = readOptions(r, optionSet, kind);
  }
  const lookupTypes = childrenNamed(child(el, 'LookupTypes'), 'LookupType')
    .map(
      (t) =>
        own(OBJECT_TYPE_CODES, intOf(t.text) ?? -1) ??
        (/^[a-z_][a-z0-9_]*$/i.test(t.text) ? lower(t.text) : undefined),
    )
    .filter((t): t is string => t !== undefined);
  if (type === 'Lookup' || type === 'Customer' || type === 'Owner') {
    column.targets = lookupTypes;
    if (column.targets.length === 0 && type === 'Owner') column.targets = ['systemuser', 'team'];
    if (column.targets.length === 0 && type === 'Customer') column.targets = ['account', 'contact'];
  }
  const appDefault = intOf(textOf(el, 'AppDefaultValue'));
  if (appDefault !== undefined && type === 'Boolean') column.defaultValue = appDefault === 1;
  else if (appDefault !== undefined && appDefault !== -1 && type === 'Picklist')
    column.defaultValue = appDefault;
  r.positions.set(column, el.line);
  return column;
}
