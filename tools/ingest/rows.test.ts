import { EventType } from '../../dataverse/generated';
import { checkHeader, checkRow, parseEventType, parseOccurredOn, type CsvColumn } from './rows';

const now = new Date('2025-06-01T12:00:00Z');
const base: Partial<Record<CsvColumn, string>> = {
  source: 'newsletter',
  externalid: 'nl-1',
  eventtype: 'EmailClick',
  occurredon: '2025-05-31T08:00:00Z',
  contactemail: 'ana@example.com',
};

function check(values: Partial<Record<CsvColumn, string>>, defaultSource?: string) {
  return checkRow(values, { row: 7, line: 8, defaultSource, limits: { source: 10, concept: 5 }, now });
}

describe('checkHeader', () => {
  it('maps columns in any order and case, and names what is missing', () => {
    expect(
      checkHeader(['ExternalId', ' EventType ', 'occurredon', 'source', 'contactid', 'note'], false),
    ).toEqual({
      indexes: { externalid: 0, eventtype: 1, occurredon: 2, source: 3, contactid: 4 },
      problems: [],
      ignored: ['note'],
    });
    expect(checkHeader(['externalid', 'eventtype', 'eventtype'], true).problems).toEqual([
      "column 'eventtype' appears twice in the header",
      "the header has no 'occurredon' column",
      "the header needs a customer column: 'contactemail', 'contactid' or 'accountid'",
    ]);
  });
});

describe('checkRow', () => {
  it('turns a good row into the event to send, in UTC', () => {
    const result = check({
      ...base,
      occurredon: '2025-05-31T10:00:00+02:00',
      concept: 'CLOUD',
      contactid: '{3F2504E0-4F89-41D3-9A0C-0305E82C3301}',
    });
    expect(result).toEqual({
      ok: true,
      row: {
        row: 7,
        line: 8,
        source: 'newsletter',
        externalId: 'nl-1',
        eventType: EventType.EmailClick,
        occurredOn: '2025-05-31T08:00:00.000Z',
        contactId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        concept: { code: 'CLOUD' },
      },
    });
  });

  it('takes --source for rows without one, and refuses a source longer than the column', () => {
    expect(check({ ...base, source: '' }, 'crm-export')).toMatchObject({
      ok: true,
      row: { source: 'crm-export' },
    });
    expect(check({ ...base, source: 'a-very-long-source' }, 'crm-export')).toEqual({
      ok: false,
      problems: [{ column: 'source', message: 'is 18 characters long; at most 10 are allowed' }],
    });
  });

  it('lists every problem of a row, each with its column and what is allowed', () => {
    const result = check({
      source: 'x',
      externalid: '',
      eventtype: 'Click',
      occurredon: '01/02/2025',
      accountid: '42',
      campaign: 'spring',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.column)).toEqual([
      'externalid',
      'eventtype',
      'occurredon',
      'accountid',
      'campaign',
    ]);
    expect(problems[1]?.message).toBe(
      "'Click' is not an event type: use one of EmailClick, EmailOpen, WebVisit, FormSubmission, OpportunityCreated, CaseOpened, Complaint, OrderConfirmed, EventAttended, SocialMention, OfferPresented, CartAbandoned, CouponClick, or its number",
    );
    expect(problems[3]?.message).toContain("'42' is not a account GUID");
  });

  it('needs a customer and a plausible email', () => {
    expect(check({ ...base, contactemail: '' })).toMatchObject({
      ok: false,
      problems: [
        { column: 'contactemail', message: 'no customer: give contactemail, contactid or accountid' },
      ],
    });
    expect(check({ ...base, contactemail: 'ana at example' })).toMatchObject({
      ok: false,
      problems: [{ column: 'contactemail' }],
    });
  });

  it('refuses events from the future beyond an hour of clock skew', () => {
    expect(check({ ...base, occurredon: '2025-06-01T12:59:00Z' }).ok).toBe(true);
    expect(check({ ...base, occurredon: '2025-06-01T13:01:00Z' })).toMatchObject({
      ok: false,
      problems: [{ column: 'occurredon' }],
    });
  });
});

describe('parsing', () => {
  it.each([
    ['EmailClick', EventType.EmailClick],
    ['socialmention', EventType.SocialMention],
    ['105200003', EventType.FormSubmission],
    ['105200099', undefined],
    ['1.052e8', undefined],
  ])('event type %s', (text, value) => {
    expect(parseEventType(text)).toBe(value);
  });

  it.each([
    ['2025-01-15', '2025-01-15T00:00:00.000Z'],
    ['2025-01-15T10:30Z', '2025-01-15T10:30:00.000Z'],
    ['2025-01-15T10:30:15.250-05:00', '2025-01-15T15:30:15.250Z'],
    ['2025-02-29', undefined],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2025-01-15T10:30:00', undefined],
    ['2025-01-15T24:00:00Z', undefined],
    ['15/01/2025', undefined],
  ])('occurredon %s', (text, iso) => {
    expect(parseOccurredOn(text)).toBe(iso);
  });
});
