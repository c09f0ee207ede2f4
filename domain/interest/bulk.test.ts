import { emptyLedger, recordApplications, scoreBatch } from './bulk';
import { buildRuleHistory, type InterestProfile, scoreEvent, stripResult } from './profile';
import type { InteractionRule } from './rules';
import { DAY_MS } from './time';

const NOW = Date.UTC(2025, 2, 1, 9);
const concepts = [
  { id: 'cloud', code: 'CLOUD', halfLifeDays: 10, enterThreshold: 8, exitThreshold: 4 },
  { id: 'data', code: 'DATA', halfLifeDays: 20, enterThreshold: 5, exitThreshold: 2 },
];
const rules: InteractionRule[] = [
  { id: 'r-click', eventType: 1, conceptId: 'cloud', points: 3, repeatable: true },
  { id: 'r-form', eventType: 2, conceptId: 'data', points: 6, repeatable: false },
  { id: 'r-visit', eventType: 3, conceptId: 'cloud', points: 1, repeatable: true, dailyCap: 2 },
];
const events = [1, 2, 3, 3, 3, 2, 1, 3, 9, 3, 3].map((eventType, i) => ({
  key: String(i),
  contactId: i % 2 === 0 ? 'ana' : 'bo',
  event: { eventType, occurredOn: NOW - 3 * DAY_MS + Math.floor(i / 2) * 3_600_000 },
}));

it('gives each contact what scoring its events one by one gives, caps and once-per-contact included', () => {
  const batch = scoreBatch({ events, rules, concepts, profiles: new Map(), ledgers: new Map(), now: NOW });

  // One by one, as the live handler does, with the history rebuilt from the stored explanations.
  const state = new Map<string, InterestProfile[]>();
  const stored = new Map<
    string,
    { occurredOn: number; appliedDeltas: { rule: string; concept: string; points: number }[] }[]
  >();
  const applied: string[][] = [];
  for (const item of events) {
    const earlier = stored.get(item.contactId) ?? [];
    const result = scoreEvent({
      event: item.event,
      rules,
      concepts,
      profiles: state.get(item.contactId) ?? [],
      history: buildRuleHistory(earlier, item.event.occurredOn),
      now: NOW,
    });
    applied.push(result.appliedDeltas.map((d) => d.rule));
    if (result.appliedDeltas.length === 0) continue;
    earlier.push({ occurredOn: item.event.occurredOn, appliedDeltas: [...result.appliedDeltas] });
    stored.set(item.contactId, earlier);
    state.set(item.contactId, result.profiles.map(stripResult));
  }
  expect(batch.events.map((e) => e.appliedDeltas.map((d) => d.rule))).toEqual(applied);
  for (const [contactId, profiles] of state)
    expect(batch.contacts.get(contactId)?.profiles.map(stripResult)).toEqual(profiles);
  // Bo's second form counts no more (once per contact); a third visit of a day is held back by the cap.
  expect(applied.flat().filter((r) => r === 'r-form')).toHaveLength(1);
  expect(batch.events.flatMap((e) => e.skipped.map((s) => s.reason))).toEqual(
    expect.arrayContaining(['alreadyApplied', 'dailyCapReached']),
  );
});

it('starts from the stored profiles and earlier applications, and reports the segments entered', () => {
  const ledger = emptyLedger();
  recordApplications(ledger, NOW - 10 * DAY_MS, [{ rule: 'r-form' }]);
  const batch = scoreBatch({
    events: [
      { key: 'a', contactId: 'ana', event: { eventType: 2, occurredOn: NOW - DAY_MS } },
      { key: 'b', contactId: 'ana', event: { eventType: 1, occurredOn: NOW - DAY_MS } },
    ],
    rules,
    concepts,
    profiles: new Map([
      [
        'ana',
        [{ conceptId: 'cloud', accumulator: 6, landmark: NOW - DAY_MS, eventCount: 2, inSegment: false }],
      ],
    ]),
    ledgers: new Map([['ana', ledger]]),
    now: NOW,
  });
  expect(batch.events[0]?.skipped).toEqual([
    { ruleId: 'r-form', conceptId: 'data', reason: 'alreadyApplied' },
  ]);
  const ana = batch.contacts.get('ana');
  expect(ana?.transitions).toEqual([{ conceptId: 'cloud', transition: 'enter' }]);
  expect([...(ana?.changed ?? [])]).toEqual(['cloud']);
  expect(ana?.profiles.find((p) => p.conceptId === 'cloud')?.eventCount).toBe(3);
});
