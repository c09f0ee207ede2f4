import { readFileSync } from 'node:fs';
import path from 'node:path';
import { activityparty, contact, email, opportunity } from '../../dataverse/generated';
import {
  AttributeTypeError,
  MalformedPayloadError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors';
import {
  getBoolean,
  getDate,
  getMoney,
  getNumber,
  getOptionValue,
  getReference,
  getString,
  isJsonContentType,
  parseDotNetDate,
  parseExecutionContext,
  parseWebhookRequest,
  SIZE_EXCEEDED_HEADER,
  targetEntity,
  type EntityCollection,
  type EntityImage,
} from './parse';

const fixture = (name: string): string => readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8');
const JSON_HEADERS = { 'content-type': 'application/json' };
const columns = opportunity.columns;

function image(value: EntityImage | undefined): EntityImage {
  if (!value) throw new Error('image missing from the fixture');
  return value;
}

describe('parseExecutionContext: an Update of opportunity with pre and post images', () => {
  const ctx = parseExecutionContext(fixture('opportunity-update-async.json'));
  const target = targetEntity(ctx)!;
  const pre = image(ctx.preEntityImages.get('PreImage'));
  const post = image(ctx.postEntityImages.get('PostImage'));

  it('reads the step signature a dispatcher needs', () => {
    expect(ctx.messageName).toBe('Update');
    expect(ctx.primaryEntityName).toBe(opportunity.logicalName);
    expect(ctx.primaryEntityId).toBe('c4e8a1f2-7a3b-ef11-9f89-000d3a4b2c10');
    expect([ctx.stage, ctx.mode, ctx.depth]).toEqual([40, 1, 1]);
    expect(ctx.correlationId).toBe('9a7e4c21-0b6d-4f3e-8c55-2d1e7f90ab34');
    expect(ctx.owningExtension?.id).toBe('e7b1c9d4-2f3a-4b5c-8d6e-7f8091a2b3c4');
    expect(ctx.sizeExceeded).toBe(false);
  });

  it('turns the Target into typed columns: Money, whole number, date and lookup', () => {
    expect(target.logicalName).toBe(opportunity.logicalName);
    expect(getMoney(target, columns.estimatedvalue)).toBe(12500.5);
    expect(getNumber(target, columns.closeprobability)).toBe(60);
    expect(getDate(target, columns.modifiedon)?.toISOString()).toBe('2026-01-07T14:00:00.000Z');
    expect(getReference(target, columns.modifiedby)?.id).toBe('5b2d7e10-5d0b-ef11-9f89-000d3a4b2c10');
    expect(target.formattedValues.get(columns.estimatedvalue)).toBe('€12,500.50');
    expect(target.rowVersion).toBe('1048233');
  });

  it('gives the values before and after the save from the images', () => {
    expect(getMoney(pre, columns.estimatedvalue)).toBe(10000);
    expect(getMoney(post, columns.estimatedvalue)).toBe(12500.5);
    expect(getNumber(pre, columns.closeprobability)).toBe(40);
    expect(getOptionValue(post, columns.statecode)).toBe(opportunity.choices.statecode.Open);
    const agent = getReference(post, columns.parentcontactid);
    expect(agent).toMatchObject({
      kind: 'EntityReference',
      logicalName: contact.logicalName,
      name: 'Ana Ruiz',
    });
    expect(getString(post, columns.name)).toBe('Congreso Cardiología 2026 — 120 pax');
    expect(getDate(post, columns.estimatedclosedate)?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });

  it('reads /Date(ms+hhmm)/ as the instant ms: the offset does not move it', () => {
    expect(ctx.operationCreatedOn?.toISOString()).toBe('2026-01-07T14:00:01.000Z');
  });

  it('keeps the parent context and turns KeyValuePair lists into maps', () => {
    const parent = ctx.parentContext!;
    expect(parent.stage).toBe(30);
    expect(targetEntity(parent)?.id).toBe(ctx.primaryEntityId);
    const changed = parent.sharedVariables.get('ChangedEntityTypes');
    expect(changed).toBeInstanceOf(Map);
    expect((changed as Map<string, unknown>).get(opportunity.logicalName)).toBe('Update');
    expect(parent.inputParameters.get('SuppressDuplicateDetection')).toBe(false);
  });

  it('gives null for a column the payload does not carry, and a clear error for the wrong type', () => {
    expect(getMoney(target, columns.actualvalue)).toBeNull();
    const cleared = [...target.attributes].find(([, value]) => value === null);
    expect(cleared).toBeDefined();
    expect(getReference(target, cleared![0])).toBeNull();
    expect(() => getString(target, columns.estimatedvalue)).toThrow(AttributeTypeError);
    expect(() => getString(target, columns.estimatedvalue)).toThrow(
      `Column '${columns.estimatedvalue}' of ${opportunity.logicalName} holds a Money, not a string.`,
    );
    expect(() => getBoolean(target, columns.closeprobability)).toThrow(/holds a number, not a boolean/);
    expect(() => getOptionValue(target, columns.estimatedvalue)).toThrow(/not an OptionSetValue/);
  });
});

describe('parseExecutionContext: other messages', () => {
  it('reads a Create post-operation payload: the Target is the created row', () => {
    const ctx = parseExecutionContext(fixture('interaction-create-async.json'));
    const target = targetEntity(ctx)!;
    expect(ctx.messageName).toBe('Create');
    expect([ctx.stage, ctx.mode]).toEqual([40, 1]);
    expect(target.logicalName).toBe(ctx.primaryEntityName);
    expect(target.id).toBe(ctx.primaryEntityId);
    expect(ctx.outputParameters.get('id')).toBe(ctx.primaryEntityId);
    expect(ctx.requestId).toBe('c0ffee00-91d4-ef11-a72e-6045bd8c0a11');
    expect(ctx.operationCreatedOn?.toISOString()).toBe('2026-03-04T09:15:12.000Z');
    expect(ctx.postEntityImages.get('AsynchronousStepPrimaryName')?.id).toBe(ctx.primaryEntityId);
  });

  it('gives a pre-validation Create no id yet (the empty GUID becomes null)', () => {
    const ctx = parseExecutionContext(fixture('concept-create-prevalidation-sync.json'));
    expect([ctx.stage, ctx.mode]).toEqual([10, 0]);
    expect(targetEntity(ctx)?.id).toBeNull();
    expect(ctx.primaryEntityId).toBeNull();
  });

  it('reads a Delete Target as an entity reference', () => {
    const ctx = parseExecutionContext(fixture('rule-delete-async.json'));
    expect(ctx.target).toMatchObject({ kind: 'EntityReference', logicalName: ctx.primaryEntityName });
    expect(targetEntity(ctx)).toBeNull();
  });

  it('refuses a Delete without its Target, which every Delete payload carries', () => {
    const payload = JSON.parse(fixture('rule-delete-async.json')) as Record<string, unknown>;
    delete payload.InputParameters;
    expect(() => parseExecutionContext(JSON.stringify(payload))).toThrow(
      /has no Target \(every Delete payload carries one\)/,
    );
  });

  it('reads collections, multi-select choices, aliased values and negative dates', () => {
    // Synthetic attribute names (multiselect, aliased, old, odd) stand for shapes, not real columns.
    const entity = {
      __type: 'Entity:http://schemas.microsoft.com/xrm/2011/Contracts',
      LogicalName: email.logicalName,
      Id: '11111111-2222-3333-4444-555555555555',
      Attributes: [
        {
          key: email.columns.to,
          value: {
            __type: 'EntityCollection:http://schemas.microsoft.com/xrm/2011/Contracts',
            EntityName: activityparty.logicalName,
            MoreRecords: false,
            Entities: [
              {
                LogicalName: activityparty.logicalName,
                Id: null,
                Attributes: [{ key: activityparty.columns.addressused, value: 'a@b.c' }],
              },
            ],
          },
        },
        {
          key: 'multiselect',
          value: [
            { __type: 'OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts', Value: 1 },
            { __type: 'OptionSetValue:http://schemas.microsoft.com/xrm/2011/Contracts', Value: 3 },
          ],
        },
        {
          key: 'aliased',
          value: { __type: 'AliasedValue:http://schemas.microsoft.com/xrm/2011/Contracts', Value: 7 },
        },
        { key: 'old', value: '/Date(-86400000)/' },
        {
          key: 'odd',
          value: {
            __type: 'BooleanManagedProperty:http://schemas.microsoft.com/xrm/2011/Metadata',
            Value: true,
          },
        },
      ],
    };
    const ctx = parseExecutionContext(
      JSON.stringify({
        MessageName: 'Create',
        PrimaryEntityName: email.logicalName,
        InputParameters: [{ key: 'Target', value: entity }],
      }),
    );
    const target = targetEntity(ctx)!;
    const to = target.attributes.get(email.columns.to);
    expect(to).toMatchObject({
      kind: 'EntityCollection',
      entityName: activityparty.logicalName,
      moreRecords: false,
    });
    expect((to as EntityCollection).entities[0].attributes.get(activityparty.columns.addressused)).toBe(
      'a@b.c',
    );
    expect(target.attributes.get('multiselect')).toEqual([
      { kind: 'OptionSetValue', value: 1 },
      { kind: 'OptionSetValue', value: 3 },
    ]);
    expect(getNumber(target, 'aliased')).toBe(7);
    expect(getDate(target, 'old')?.toISOString()).toBe('1969-12-31T00:00:00.000Z');
    expect(target.attributes.get('odd')).toMatchObject({
      kind: 'Unknown',
      typeName: 'BooleanManagedProperty',
    });
  });
});

describe('parseExecutionContext: refusing what is not a usable payload (400)', () => {
  const valid = fixture('opportunity-update-async.json');
  const without = (key: string) => {
    const json = JSON.parse(valid) as Record<string, unknown>;
    delete json[key];
    return JSON.stringify(json);
  };

  it.each([
    ['not JSON', 'MessageName=Update', /not valid JSON/],
    ['truncated JSON', valid.slice(0, valid.length / 2), /not valid JSON/],
    ['an empty body', '   ', /empty/],
    ['a JSON array', '[]', /must be a RemoteExecutionContext object, got an array/],
    ['no MessageName', without('MessageName'), /\$\.MessageName is missing/],
    ['no PrimaryEntityName', without('PrimaryEntityName'), /\$\.PrimaryEntityName is missing/],
    [
      'an Update without Target',
      without('InputParameters'),
      /has no Target \(every Update payload carries one\)/,
    ],
    [
      'a Target that is not an entity',
      JSON.stringify({
        MessageName: 'Create',
        PrimaryEntityName: contact.logicalName,
        InputParameters: [{ key: 'Target', value: 'x' }],
      }),
      /Target should be an entity or an entity reference/,
    ],
    [
      'a Stage that is not a number',
      JSON.stringify({ ...(JSON.parse(valid) as object), Stage: 'post' }),
      /\$\.Stage should be a number, not string "post"/,
    ],
  ])('%s', (_case, body, message) => {
    expect(() => parseExecutionContext(body)).toThrow(MalformedPayloadError);
    expect(() => parseExecutionContext(body)).toThrow(message);
  });

  it('accepts a UTF-8 byte order mark, which .NET writers may emit', () => {
    expect(parseExecutionContext(`\uFEFF${valid}`).messageName).toBe('Update');
  });
});

describe('parseWebhookRequest: size, content type and the size-exceeded header', () => {
  const body = Buffer.from(fixture('opportunity-update-async.json'));

  it('answers 413 for a body over the limit before trying to parse it', () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, 'x');
    const error = (() => {
      try {
        parseWebhookRequest({ headers: JSON_HEADERS, body: huge });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ status: 413, sizeBytes: 1024 * 1024 + 1 });
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"'])(
    'accepts content type %s',
    (type) => {
      expect(isJsonContentType(type)).toBe(true);
      expect(parseWebhookRequest({ headers: { 'content-type': type }, body }).messageName).toBe('Update');
    },
  );

  it.each([undefined, 'text/plain', 'application/xml', 'application/json; charset=iso-8859-1'])(
    'answers 415 for content type %s',
    (type) => {
      expect(() => parseWebhookRequest({ headers: { 'content-type': type }, body })).toThrow(
        UnsupportedMediaTypeError,
      );
    },
  );

  it('accepts a trimmed payload only when Dataverse says it trimmed it, and flags it for re-reading', () => {
    const trimmed = Buffer.from(fixture('opportunity-update-trimmed.json'));
    expect(() => parseWebhookRequest({ headers: JSON_HEADERS, body: trimmed })).toThrow(/has no Target/);
    const ctx = parseWebhookRequest({
      headers: { ...JSON_HEADERS, [SIZE_EXCEEDED_HEADER]: '' },
      body: trimmed,
    });
    expect(ctx.sizeExceeded).toBe(true);
    expect(ctx.target).toBeNull();
    expect(ctx.primaryEntityId).toBe('c4e8a1f2-7a3b-ef11-9f89-000d3a4b2c10');
  });
});

describe('parseDotNetDate', () => {
  it('reads both documented forms and nothing else', () => {
    expect(parseDotNetDate('/Date(1506384247000)/')?.toISOString()).toBe('2017-09-26T00:04:07.000Z');
    expect(parseDotNetDate('/Date(1506409448000-0700)/')?.toISOString()).toBe('2017-09-26T07:04:08.000Z');
    expect(parseDotNetDate('2017-09-26T00:04:07Z')).toBeNull();
    expect(parseDotNetDate('/Date(abc)/')).toBeNull();
  });
});
