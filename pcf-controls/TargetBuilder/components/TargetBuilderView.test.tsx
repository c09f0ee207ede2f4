/** @jest-environment jsdom */
import * as React from 'react';
import { join } from 'node:path';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { readResx } from '../../shared/resx.testkit';
import { type BuilderState, type ConceptOption, EMPTY_STATE } from '../builder';
import { targetBuilderStrings } from '../strings';
import { type CountState, TargetBuilderView, type TargetBuilderProps } from './TargetBuilderView';

const CLOUD = '6f1c0c3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const SEC = '7a2d1d4f-2e3b-4d6c-8f90-1b2c3d4e5f60';
const CONCEPTS: ConceptOption[] = [
  { id: CLOUD, name: 'Cloud migration', halfLifeDays: 10 },
  { id: SEC, name: 'Zero trust security', halfLifeDays: 90 },
];
const stringsIn = (lang: string) => {
  const resx = readResx(join(__dirname, `../strings/TargetBuilder.${lang}.resx`));
  return targetBuilderStrings((key) => resx[key] ?? key);
};

function show(props: Partial<TargetBuilderProps> = {}) {
  const changes: BuilderState[] = [];
  const replaced: number[] = [];
  const base: TargetBuilderProps = {
    concepts: { status: 'ready', concepts: CONCEPTS },
    state: EMPTY_STATE,
    problems: [],
    count: { status: 'idle' },
    offers: { status: 'ready', offers: [] },
    rank: { status: 'idle' },
    disabled: false,
    strings: stringsIn('1033'),
    locale: 'en-US',
    onChange: (state) => changes.push(state),
    onReplaceUnreadable: () => replaced.push(1),
  };
  render(<TargetBuilderView {...base} {...props} />);
  return { changes, replaced };
}

const status = () => screen.getByRole('status');
const picker = (label: string) => screen.getByRole('combobox', { name: label });
/** The concepts shown as chosen (tags) under a picker, as their names. */
const chosen = (label: string) =>
  within(screen.getByRole('toolbar', { name: `Chosen for ${label}` }))
    .getAllByRole('button')
    .map((tag) => tag.textContent);

describe('TargetBuilderView', () => {
  it('adds an empty concept row', () => {
    const { changes } = show();
    fireEvent.click(screen.getByRole('button', { name: 'Add a concept' }));
    expect(changes.pop()).toEqual({ ...EMPTY_STATE, concepts: [{ conceptId: '', minScore: '' }] });
  });

  it('shows each condition of the state and reports each edit as a new state', async () => {
    const state: BuilderState = {
      ...EMPTY_STATE,
      concepts: [{ conceptId: SEC, minScore: '12.5' }],
      tiers: ['maintain'],
      segmentConceptIds: [CLOUD],
      notContactedDays: '14',
    };
    const { changes } = show({ state });
    expect(screen.getByLabelText<HTMLSelectElement>('Concept 1').value).toBe(SEC);
    expect(screen.getByLabelText<HTMLInputElement>('Minimum score today for concept 1').value).toBe('12.5');
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Maintain' }).checked).toBe(true);
    expect(chosen('In the segment of (any of)')).toEqual(['Cloud migration']);
    expect(screen.getByLabelText<HTMLInputElement>('Not contacted in the last (days)').value).toBe('14');

    fireEvent.change(screen.getByLabelText('Concept 1'), { target: { value: CLOUD } });
    expect(changes.pop()?.concepts).toEqual([{ conceptId: CLOUD, minScore: '12.5' }]);
    fireEvent.change(screen.getByLabelText('Minimum score today for concept 1'), { target: { value: '20' } });
    expect(changes.pop()?.concepts).toEqual([{ conceptId: SEC, minScore: '20' }]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Most valuable' }));
    expect(changes.pop()?.tiers).toEqual(['maintain', 'mostValuable']);
    fireEvent.click(picker('Primary interest (any of)'));
    fireEvent.click(await screen.findByRole('menuitemcheckbox', { name: 'Zero trust security' }));
    expect(changes.pop()?.primaryInterestIds).toEqual([SEC]);
    fireEvent.change(screen.getByLabelText('Last interaction within (days)'), { target: { value: '30' } });
    expect(changes.pop()?.lastInteractionDays).toBe('30');
    fireEvent.click(screen.getByRole('button', { name: 'Remove concept 1' }));
    expect(changes.pop()?.concepts).toEqual([]);
  });

  it('finds a primary interest among hundreds by typing part of its name, with no grid of checkboxes', async () => {
    const many: ConceptOption[] = Array.from({ length: 300 }, (_v, i) => ({
      id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      name: `Concept ${String(i).padStart(3, '0')}`,
      halfLifeDays: 90,
    }));
    const { changes } = show({ concepts: { status: 'ready', concepts: [...CONCEPTS, ...many] } });
    // Only the four value tiers are checkboxes: the concepts are in two pickers.
    expect(screen.getAllByRole('checkbox')).toHaveLength(4);
    const box = picker('Primary interest (any of)');
    expect(box.getAttribute('placeholder')).toBe('Type to find a concept');
    fireEvent.click(box);
    fireEvent.change(box, { target: { value: 'concept 12' } });
    const found = await screen.findAllByRole('menuitemcheckbox');
    expect(found.map((o) => o.textContent)).toEqual([
      'Concept 120',
      'Concept 121',
      'Concept 122',
      'Concept 123',
      'Concept 124',
      'Concept 125',
      'Concept 126',
      'Concept 127',
      'Concept 128',
      'Concept 129',
    ]);
    fireEvent.click(found[0]);
    expect(changes.pop()?.primaryInterestIds).toEqual([many[120]?.id]);

    fireEvent.change(box, { target: { value: 'nothing like it' } });
    expect((await screen.findByRole('menuitemcheckbox')).textContent).toBe(
      'No concept matches “nothing like it”',
    );
  });

  it('adds each chosen segment after those already chosen, and removes one with its tag', async () => {
    const state: BuilderState = { ...EMPTY_STATE, segmentConceptIds: [SEC] };
    const { changes } = show({ state });
    expect(chosen('In the segment of (any of)')).toEqual(['Zero trust security']);
    fireEvent.click(picker('In the segment of (any of)'));
    const options = await screen.findAllByRole('menuitemcheckbox');
    expect(options.map((o) => [o.textContent, o.getAttribute('aria-checked')])).toEqual([
      ['Cloud migration', 'false'],
      ['Zero trust security', 'true'],
    ]);
    fireEvent.click(options[0]);
    expect(changes.pop()?.segmentConceptIds).toEqual([SEC, CLOUD]);
    // Choosing a chosen one again takes it away, as unticking did.
    fireEvent.click(options[1]);
    expect(changes.pop()?.segmentConceptIds).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: /Remove Zero trust security/ }));
    expect(changes.pop()?.segmentConceptIds).toEqual([]);
  });

  it('labels the pickers and their tags in Spanish', () => {
    show({
      state: { ...EMPTY_STATE, primaryInterestIds: [CLOUD] },
      strings: stringsIn('3082'),
      locale: 'es-ES',
    });
    expect(picker('Interés principal (cualquiera de)').getAttribute('placeholder')).toBe(
      'Escriba para buscar un concepto',
    );
    expect(
      screen.getByRole('toolbar', { name: 'Elegidos para Interés principal (cualquiera de)' }),
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: /Quitar Cloud migration/ })).toBeTruthy();
  });

  it.each<[CountState, string]>([
    [{ status: 'idle' }, 'No condition: every active contact would match.'],
    [{ status: 'counting' }, 'Counting the contacts…'],
    [{ status: 'ready', count: 1234 }, '1,234 contacts match today'],
    [{ status: 'ready', count: 1 }, '1 contact matches today'],
    [{ status: 'overLimit' }, '50,000+ contacts match today'],
  ])('says how many contacts match: %j', (count, text) => {
    show({ count });
    expect(status().textContent).toContain(text);
  });

  it('says in Spanish what failed when the count fails', () => {
    show({
      count: { status: 'error', message: 'Acceso denegado' },
      strings: stringsIn('3082'),
      locale: 'es-ES',
    });
    expect(within(status()).getByRole('alert').textContent).toBe(
      'No se han podido contar los contactos: Acceso denegado',
    );
  });

  it('says in Spanish that more than 50,000 contacts match', () => {
    show({ count: { status: 'overLimit' }, strings: stringsIn('3082'), locale: 'es-ES' });
    expect(status().textContent).toBe('Más de 50.000 contactos cumplen hoy');
  });

  it('says what to correct, and that the list keeps its query meanwhile', () => {
    show({
      problems: [
        { kind: 'minScore', row: 1 },
        { kind: 'days', field: 'notContacted' },
      ],
      count: { status: 'invalid' },
    });
    expect(screen.getByRole('alert').textContent).toBe(
      'Enter a minimum score above 0 for concept 1. Not contacted in the last (days): enter a whole number of days from 1 to 3650. The list keeps its previous query until this is corrected.',
    );
    expect(status().textContent).toBe('');
  });

  it('says the concepts are loading', () => {
    show({ concepts: { status: 'loading' } });
    expect(screen.getByText('Loading the marketing concepts…')).toBeTruthy();
  });

  it('explains a failed concept read in the user language', () => {
    show({ concepts: { status: 'error', message: 'Sin permiso' }, strings: stringsIn('3082') });
    expect(screen.getByRole('alert').textContent).toBe(
      'No se han podido cargar los conceptos de marketing: Sin permiso',
    );
  });

  it('shows a query written elsewhere as it is, and replaces it only when asked', () => {
    const foreign = "<fetch><entity name='contact'><attribute name='fullname' /></entity></fetch>";
    const { changes, replaced } = show({ unreadable: foreign });
    expect(screen.getByText(/was not written by the Target Builder/)).toBeTruthy();
    expect(screen.getByLabelText('Stored query').textContent).toBe(foreign);
    expect(screen.queryByRole('button', { name: 'Add a concept' })).toBeNull();
    expect(changes).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Start a new target (replaces this query)' }));
    expect(replaced).toEqual([1]);
  });

  it('tells how static and dynamic lists get their members', () => {
    show();
    expect(screen.getByText(/Copy to static list/).textContent).toContain('ideario target … --list');
  });

  it('cannot be edited on a read-only form', () => {
    show({ disabled: true, state: { ...EMPTY_STATE, concepts: [{ conceptId: SEC, minScore: '5' }] } });
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Add a concept' }).disabled).toBe(true);
    expect(screen.getByLabelText<HTMLSelectElement>('Concept 1').disabled).toBe(true);
  });

  it('shows chosen concepts on a read-only form without a way to remove them', () => {
    show({ disabled: true, state: { ...EMPTY_STATE, segmentConceptIds: [CLOUD] } });
    expect(picker('In the segment of (any of)').hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Cloud migration')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Remove/ })).toBeNull();
  });
});
