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

describe('TargetBuilderView', () => {
  it('adds an empty concept row', () => {
    const { changes } = show();
    fireEvent.click(screen.getByRole('button', { name: 'Add a concept' }));
    expect(changes.pop()).toEqual({ ...EMPTY_STATE, concepts: [{ conceptId: '', minScore: '' }] });
  });

  it('shows each condition of the state and reports each edit as a new state', () => {
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
    const segments = screen.getByRole('group', { name: 'In the segment of (any of)' });
    expect(
      within(segments).getByRole<HTMLInputElement>('checkbox', { name: 'Cloud migration' }).checked,
    ).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Not contacted in the last (days)').value).toBe('14');

    fireEvent.change(screen.getByLabelText('Concept 1'), { target: { value: CLOUD } });
    expect(changes.pop()?.concepts).toEqual([{ conceptId: CLOUD, minScore: '12.5' }]);
    fireEvent.change(screen.getByLabelText('Minimum score today for concept 1'), { target: { value: '20' } });
    expect(changes.pop()?.concepts).toEqual([{ conceptId: SEC, minScore: '20' }]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Most valuable' }));
    expect(changes.pop()?.tiers).toEqual(['maintain', 'mostValuable']);
    const primary = screen.getByRole('group', { name: 'Primary interest (any of)' });
    fireEvent.click(within(primary).getByRole('checkbox', { name: 'Zero trust security' }));
    expect(changes.pop()?.primaryInterestIds).toEqual([SEC]);
    fireEvent.change(screen.getByLabelText('Last interaction within (days)'), { target: { value: '30' } });
    expect(changes.pop()?.lastInteractionDays).toBe('30');
    fireEvent.click(screen.getByRole('button', { name: 'Remove concept 1' }));
    expect(changes.pop()?.concepts).toEqual([]);
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
});
