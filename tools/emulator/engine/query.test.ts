import type { Engine } from './engine';
import { testEngine, type TestEngine } from '../testing/engine';
import { QueryError, UnknownColumnError } from './errors';

/**
 * Ten interactions spread over the days before the test clock's "now" (2025-01-15 10:00 UTC), two
 * contacts, two concepts: enough to tell every filter's rows apart.
 */
async function seed(engine: Engine) {
  const ana = await engine.create('contacts', { fullname: 'Ana Álvarez', emailaddress1: 'ana@example.com' });
  const bob = await engine.create('contacts', { fullname: "Bob O'Brien", emailaddress1: null });
  const cloud = await engine.create('emu_concepts', { emu_name: 'Cloud', emu_code: 'CLOUD' });
  const data = await engine.create('emu_concepts', { emu_name: 'Data', emu_code: 'DATA' });
  const rows: {
    name: string;
    contact: string;
    concept?: string;
    occurred: string;
    score: number | null;
    day: string | null;
  }[] = [
    {
      name: 'i0 click',
      contact: ana,
      concept: cloud,
      occurred: '2025-01-15T09:00:00Z',
      score: 10,
      day: '2025-01-15',
    },
    {
      name: 'i1 open',
      contact: ana,
      concept: cloud,
      occurred: '2025-01-14T23:59:59Z',
      score: 5.5,
      day: '2025-01-14',
    },
    {
      name: 'i2 visit',
      contact: ana,
      concept: data,
      occurred: '2025-01-13T00:00:00Z',
      score: -2,
      day: '2025-01-13',
    },
    {
      name: 'I3 FORM',
      contact: bob,
      concept: data,
      occurred: '2025-01-12T12:00:00Z',
      score: 0,
      day: '2025-01-12',
    },
    { name: 'i4 click', contact: bob, occurred: '2025-01-08T10:00:00Z', score: null, day: null },
    {
      name: 'i5 100%_done',
      contact: bob,
      concept: cloud,
      occurred: '2025-01-01T00:00:00Z',
      score: 100,
      day: '2025-01-01',
    },
  ];
  const ids: Record<string, string> = {};
  for (const row of rows) {
    ids[row.name] = await engine.create('emu_interactions', {
      emu_name: row.name,
      'emu_contact@odata.bind': `/contacts(${row.contact})`,
      ...(row.concept ? { 'emu_concept@odata.bind': `/emu_concepts(${row.concept})` } : {}),
      emu_occurredon: row.occurred,
      emu_score: row.score,
      emu_day: row.day,
    });
  }
  return { ana, bob, cloud, data, ids };
}

describe('$filter', () => {
  const t = {} as TestEngine & { seeded: Awaited<ReturnType<typeof seed>> };
  beforeAll(async () => {
    Object.assign(t, testEngine());
    t.seeded = await seed(t.engine);
  });
  afterAll(() => t.engine.close());

  const names = async (filter: string) =>
    (
      await t.engine.query('emu_interactions', { filter, select: ['emu_name'], orderBy: ['emu_name'] })
    ).records.map((r) => r.emu_name);

  it.each([
    ["emu_name eq 'i3 form'", ['I3 FORM']],
    ['emu_score gt 5', ['i0 click', 'i1 open', 'i5 100%_done']],
    ['emu_score le 0', ['i2 visit', 'I3 FORM']],
    ['emu_score eq null', ['i4 click']],
    ['emu_score ne null and emu_score lt 1', ['i2 visit', 'I3 FORM']],
    // OData null semantics: ne keeps rows whose value is null.
    ['emu_score ne 10', ['i1 open', 'i2 visit', 'I3 FORM', 'i4 click', 'i5 100%_done']],
    ["contains(emu_name,'CLICK')", ['i0 click', 'i4 click']],
    ["contains(emu_name,'%_')", ['i5 100%_done']],
    ["startswith(emu_name,'i1') or endswith(emu_name,'form')", ['i1 open', 'I3 FORM']],
    ["not contains(emu_name,'i')", []],
    ["(emu_score ge 0 and emu_score le 10) and not (emu_name eq 'i0 click')", ['i1 open', 'I3 FORM']],
    ['emu_occurredon ge 2025-01-13T00:00:00Z', ['i0 click', 'i1 open', 'i2 visit']],
    ['emu_day lt 2025-01-13', ['I3 FORM', 'i5 100%_done']],
    [
      "Microsoft.Dynamics.CRM.In(PropertyName='emu_name',PropertyValues=['i0 click','i2 visit'])",
      ['i0 click', 'i2 visit'],
    ],
    ['Microsoft.Dynamics.CRM.In(PropertyName=\'emu_name\',PropertyValues=["I1 OPEN"])', ['i1 open']],
    [
      "Microsoft.Dynamics.CRM.NotIn(PropertyName='emu_name',PropertyValues=['i0 click','i2 visit','i4 click'])",
      ['i1 open', 'I3 FORM', 'i5 100%_done'],
    ],
    [
      'Microsoft.Dynamics.CRM.Between(PropertyName=\'emu_score\',PropertyValues=["0","10"])',
      ['i0 click', 'i1 open', 'I3 FORM'],
    ],
    ["Microsoft.Dynamics.CRM.Today(PropertyName='emu_occurredon')", ['i0 click']],
    ["Microsoft.Dynamics.CRM.Today(PropertyName='emu_day')", ['i0 click']],
    [
      "Microsoft.Dynamics.CRM.LastXDays(PropertyName='emu_occurredon',PropertyValue=2)",
      ['i0 click', 'i1 open', 'i2 visit'],
    ],
    [
      "Microsoft.Dynamics.CRM.OlderThanXDays(PropertyName='emu_occurredon',PropertyValue=2)",
      ['I3 FORM', 'i4 click', 'i5 100%_done'],
    ],
    ["Microsoft.Dynamics.CRM.On(PropertyName='emu_occurredon',PropertyValue='2025-01-14')", ['i1 open']],
    [
      "Microsoft.Dynamics.CRM.OnOrAfter(PropertyName='emu_day',PropertyValue='2025-01-13')",
      ['i0 click', 'i1 open', 'i2 visit'],
    ],
    [
      "Microsoft.Dynamics.CRM.OnOrBefore(PropertyName='emu_occurredon',PropertyValue='2025-01-08')",
      ['i4 click', 'i5 100%_done'],
    ],
    [
      "Microsoft.Dynamics.CRM.LastXHours(PropertyName='emu_occurredon',PropertyValue=12)",
      ['i0 click', 'i1 open'],
    ],
    ["emu_concept/emu_code eq 'DATA'", ['i2 visit', 'I3 FORM']],
  ])('%s', async (filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('filters lookups by _x_value, with guids in any case', async () => {
    expect(await names(`_emu_contact_value eq ${t.seeded.bob.toUpperCase()}`)).toEqual([
      'I3 FORM',
      'i4 click',
      'i5 100%_done',
    ]);
    expect(await names('_emu_concept_value eq null')).toEqual(['i4 click']);
    expect(
      await names(
        `Microsoft.Dynamics.CRM.In(PropertyName='emu_concept',PropertyValues=['${t.seeded.data}'])`,
      ),
    ).toEqual(['i2 visit', 'I3 FORM']);
  });

  it('matches the calling user with EqualUserId', async () => {
    expect(
      (
        await t.engine.query('contacts', {
          filter: "Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')",
        })
      ).records,
    ).toHaveLength(2);
    const other = { userId: '99999999-9999-9999-9999-999999999999' };
    expect(
      (
        await t.engine.query(
          'contacts',
          { filter: "Microsoft.Dynamics.CRM.EqualUserId(PropertyName='ownerid')" },
          { context: other },
        )
      ).records,
    ).toHaveLength(0);
  });

  it('compares text case-insensitively and keeps quotes in literals', async () => {
    const records = (
      await t.engine.query('contacts', { filter: "fullname eq 'bob o''brien'", select: ['fullname'] })
    ).records;
    expect(records.map((r) => r.fullname)).toEqual(["Bob O'Brien"]);
  });

  it('names the bad property or operand types in errors', async () => {
    await expect(names("emu_colour eq 'red'")).rejects.toThrow(UnknownColumnError);
    await expect(names("emu_contact eq 'x'")).rejects.toThrow("Filter lookups as '_emu_contact_value'");
    await expect(names("emu_score eq 'ten'")).rejects.toThrow(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.Decimal' and 'Edm.String' for operator kind 'Equal'",
    );
    await expect(names('emu_name eq')).rejects.toThrow(QueryError);
    await expect(
      names("Microsoft.Dynamics.CRM.LastXDays(PropertyName='emu_name',PropertyValue=2)"),
    ).rejects.toThrow('need a date column');
    await expect(
      names("Microsoft.Dynamics.CRM.Above(PropertyName='emu_name',PropertyValue='x')"),
    ).rejects.toThrow("does not support the query function 'Microsoft.Dynamics.CRM.Above'");
  });
});

describe('order, count, top and paging', () => {
  const t = {} as TestEngine;
  beforeEach(async () => {
    Object.assign(t, testEngine());
    for (let i = 0; i < 12; i++) {
      await t.engine.create('emu_interactions', {
        emu_name: `n${String(i).padStart(2, '0')}`,
        emu_count: i % 3 === 0 ? null : i % 4,
      });
    }
  });
  afterEach(() => t.engine.close());

  async function allPages(request: { orderBy?: string[]; filter?: string; pageSize: number }) {
    const pages: string[][] = [];
    let skipToken: string | undefined;
    do {
      const page = await t.engine.query('emu_interactions', {
        ...request,
        select: ['emu_name', 'emu_count'],
        skipToken,
      });
      pages.push(page.records.map((r) => String(r.emu_name)));
      skipToken = page.skipToken;
    } while (skipToken);
    return pages;
  }

  it('orders by several columns, nulls first ascending and last descending', async () => {
    const asc = (
      await t.engine.query('emu_interactions', {
        select: ['emu_name'],
        orderBy: ['emu_count', 'emu_name desc'],
      })
    ).records.map((r) => r.emu_name);
    expect(asc.slice(0, 4)).toEqual(['n09', 'n06', 'n03', 'n00']);
    const desc = (
      await t.engine.query('emu_interactions', { select: ['emu_name'], orderBy: ['emu_count desc,emu_name'] })
    ).records.map((r) => r.emu_name);
    expect(desc.slice(-4)).toEqual(['n00', 'n03', 'n06', 'n09']);
  });

  it('pages with a skiptoken until every row has come exactly once, in order', async () => {
    for (const orderBy of [undefined, ['emu_count desc', 'emu_name'], ['emu_count']]) {
      const pages = await allPages({ orderBy, pageSize: 5 });
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      const flat = pages.flat();
      const once = (await t.engine.query('emu_interactions', { select: ['emu_name'], orderBy })).records.map(
        (r) => r.emu_name,
      );
      expect(flat).toEqual(once);
    }
  });

  it('does not skip rows that leave the filter while the caller pages (a "process the pending ones" loop)', async () => {
    const seen: string[] = [];
    let skipToken: string | undefined;
    do {
      const page = await t.engine.query('emu_interactions', {
        filter: 'emu_score eq null',
        select: ['emu_name'],
        pageSize: 4,
        skipToken,
      });
      for (const record of page.records) {
        seen.push(String(record.emu_name));
        await t.engine.update('emu_interactions', String(record.emu_interactionid), { emu_score: 1 });
      }
      skipToken = page.skipToken;
    } while (skipToken);
    expect(seen).toHaveLength(12);
  });

  it('counts, and $top returns at most that many rows without a next page', async () => {
    const page = await t.engine.query('emu_interactions', {
      filter: 'emu_count eq null',
      count: true,
      top: 2,
    });
    expect(page.count).toBe(4);
    expect(page.countLimitExceeded).toBe(false);
    expect(page.records).toHaveLength(2);
    expect(page.skipToken).toBeUndefined();
  });

  it('rejects a skiptoken from another query', async () => {
    const first = await t.engine.query('emu_interactions', { pageSize: 5 });
    await expect(
      t.engine.query('emu_interactions', { orderBy: ['emu_name'], pageSize: 5, skipToken: first.skipToken }),
    ).rejects.toThrow('does not belong');
  });
});
