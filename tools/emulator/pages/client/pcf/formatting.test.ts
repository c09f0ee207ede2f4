import { EN_US, formatSettingsFor } from '../../../engine/formats';
import { formatting, timeZoneOffsetMinutes } from './formatting';

describe('the PCF host’s formatting and time zone', () => {
  it('writes numbers, amounts and dates as the user’s formats say', () => {
    const spain = formatSettingsFor(3082);
    if (!spain) throw new Error('no Spanish formats');
    const f = formatting(spain);
    expect(f.formatDecimal(1234.5, 2)).toBe('1.234,50');
    expect(f.formatInteger(1200.4)).toBe('1.200');
    expect(f.formatCurrency(8400, 2, '€')).toBe('8.400,00 €');
    expect(f.formatDateShort(new Date(2027, 4, 3, 17, 47), true)).toBe('3/5/2027 17:47');
    expect(formatting(EN_US).formatDateShort(new Date(2027, 4, 3))).toBe('5/3/2027');
  });

  it('gives the offset of the user’s Dataverse time zone, whatever the browser’s', () => {
    expect(timeZoneOffsetMinutes(new Date('2027-07-01T12:00:00Z'), 'Europe/Madrid')).toBe(120);
    expect(timeZoneOffsetMinutes(new Date('2027-01-15T12:00:00Z'), 'Europe/Madrid')).toBe(60);
    expect(timeZoneOffsetMinutes(new Date('2027-01-15T12:00:00Z'), 'America/Los_Angeles')).toBe(-480);
  });
});
