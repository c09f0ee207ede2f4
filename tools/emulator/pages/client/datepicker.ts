/**
 * The calendar a date field's button opens, as Dynamics 365's date control does: a month of days in the
 * page's language, operated by keyboard as the WAI-ARIA "Date Picker Dialog" pattern describes (arrows
 * move a day or a week, Page Up/Down a month, Home/End the week's ends, Enter or Space picks, Escape
 * closes and gives focus back to the button).
 */
import type { CalendarDate } from '../../engine/formats';

export interface DatePickerOptions {
  /** The calendar button: the picker opens under it and gives focus back to it. */
  readonly button: HTMLButtonElement;
  /** BCP 47 tag of the page's language: month and weekday names. */
  readonly language: string;
  readonly labels: { readonly dialog: string; readonly previous: string; readonly next: string };
  /** The field's date, if it holds one: the month shown and the day marked. */
  readonly value: CalendarDate | undefined;
  /** Today in the user's calendar, shown when the field is empty. */
  readonly today: CalendarDate;
  readonly pick: (date: CalendarDate) => void;
}

const utc = (d: CalendarDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
const fromUtc = (d: Date): CalendarDate => ({
  year: d.getUTCFullYear(),
  month: d.getUTCMonth() + 1,
  day: d.getUTCDate(),
});
const addDays = (d: CalendarDate, days: number) => fromUtc(new Date(utc(d).getTime() + days * 86_400_000));
const same = (a: CalendarDate | undefined, b: CalendarDate) =>
  a?.year === b.year && a.month === b.month && a.day === b.day;

function addMonths(d: CalendarDate, months: number): CalendarDate {
  const first = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return { year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: Math.min(d.day, last) };
}

/** The open picker, if any: one at a time, as in Dynamics. */
let open: { close: (focusButton: boolean) => void; button: HTMLButtonElement } | undefined;

/** Opens the picker under `options.button`; a second click on the same button closes it. */
export function toggleDatePicker(options: DatePickerOptions): void {
  if (open?.button === options.button) {
    open.close(true);
    return;
  }
  open?.close(false);
  const { button, language, labels } = options;
  // English weeks start on Sunday, Spanish on Monday, as their calendars print them.
  const weekStart = language.startsWith('en') ? 0 : 1;
  const title = new Intl.DateTimeFormat(language, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dayName = new Intl.DateTimeFormat(language, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const weekday = (style: 'short' | 'long') =>
    new Intl.DateTimeFormat(language, { weekday: style, timeZone: 'UTC' });
  let focused = options.value ?? options.today;

  const dialog = document.createElement('div');
  dialog.className = 'datepicker';
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-label', labels.dialog);
  const head = document.createElement('div');
  head.className = 'dp-head';
  const heading = document.createElement('h2');
  heading.id = `${button.dataset.calendar ?? 'idr'}-calendar-title`;
  heading.setAttribute('aria-live', 'polite');
  const arrow = (text: string, label: string, months: number) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', () => {
      focused = addMonths(focused, months);
      render(false);
    });
    return b;
  };
  head.append(arrow('‹', labels.previous, -1), heading, arrow('›', labels.next, 1));
  const table = document.createElement('table');
  table.setAttribute('aria-labelledby', heading.id);
  dialog.append(head, table);

  function render(focusDay: boolean): void {
    heading.textContent = title.format(utc({ ...focused, day: 1 }));
    const first = { ...focused, day: 1 };
    const start = addDays(first, -((utc(first).getUTCDay() - weekStart + 7) % 7));
    const headRow = document.createElement('tr');
    for (let i = 0; i < 7; i++) {
      const th = document.createElement('th');
      th.scope = 'col';
      const day = utc(addDays(start, i));
      th.abbr = weekday('long').format(day);
      th.textContent = weekday('short').format(day);
      headRow.append(th);
    }
    const body = document.createElement('tbody');
    for (let week = 0; week < 6; week++) {
      const row = document.createElement('tr');
      for (let i = 0; i < 7; i++) {
        const date = addDays(start, week * 7 + i);
        const cell = document.createElement('td');
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = String(date.day);
        b.setAttribute('aria-label', dayName.format(utc(date)));
        if (date.month !== focused.month) b.className = 'other';
        if (options.value) b.setAttribute('aria-pressed', String(same(options.value, date)));
        if (same(options.today, date)) b.setAttribute('aria-current', 'date');
        // One day in the tab order: the arrows move it (roving tabindex).
        b.tabIndex = same(focused, date) ? 0 : -1;
        b.dataset.day = `${date.year}-${date.month}-${date.day}`;
        b.addEventListener('click', () => {
          close(true);
          options.pick(date);
        });
        cell.append(b);
        row.append(cell);
      }
      body.append(row);
    }
    const thead = document.createElement('thead');
    thead.append(headRow);
    table.replaceChildren(thead, body);
    if (focusDay) table.querySelector<HTMLButtonElement>('button[tabindex="0"]')?.focus();
  }

  const moves: Record<string, (d: CalendarDate) => CalendarDate> = {
    ArrowLeft: (d) => addDays(d, -1),
    ArrowRight: (d) => addDays(d, 1),
    ArrowUp: (d) => addDays(d, -7),
    ArrowDown: (d) => addDays(d, 7),
    PageUp: (d) => addMonths(d, -1),
    PageDown: (d) => addMonths(d, 1),
    Home: (d) => addDays(d, -((utc(d).getUTCDay() - weekStart + 7) % 7)),
    End: (d) => addDays(d, 6 - ((utc(d).getUTCDay() - weekStart + 7) % 7)),
  };
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
      return;
    }
    if (event.key === 'Tab') {
      // A modal dialog keeps focus inside it: Tab cycles the month arrows and the day.
      const stops = [...Array.from(head.querySelectorAll('button')), table.querySelector('[tabindex="0"]')];
      const at = stops.indexOf(document.activeElement);
      const next = stops[(at + (event.shiftKey ? stops.length - 1 : 1)) % stops.length];
      if (next instanceof HTMLElement) {
        event.preventDefault();
        next.focus();
      }
      return;
    }
    const move = moves[event.key];
    if (!move || !(event.target instanceof HTMLElement) || !event.target.dataset.day) return;
    event.preventDefault();
    focused = move(focused);
    render(true);
  });
  const outside = (event: MouseEvent) => {
    if (!dialog.contains(event.target as Node) && event.target !== button) close(false);
  };

  function close(focusButton: boolean): void {
    dialog.remove();
    document.removeEventListener('mousedown', outside);
    button.setAttribute('aria-expanded', 'false');
    open = undefined;
    if (focusButton) button.focus();
  }

  button.after(dialog);
  button.setAttribute('aria-expanded', 'true');
  document.addEventListener('mousedown', outside);
  open = { close, button };
  render(true);
}
