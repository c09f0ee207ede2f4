import { ellipsize, fitLabel, textWidth } from './chartlabel';

describe('chart label fitting', () => {
  it('estimates wide letters wider than narrow ones, accents as their base letter', () => {
    expect(textWidth('MMMM', 12)).toBeGreaterThan(textWidth('iiii', 12) * 2);
    expect(textWidth('campaña', 12)).toBe(textWidth('campana', 12));
  });

  it('keeps a label that fits on one line as it is', () => {
    expect(fitLabel('Email', 100, 12)).toEqual({ lines: ['Email'], cut: false });
  });

  it('wraps a two-value category after its " · " separator, losing nothing', () => {
    const label = 'Spring newsletter · Exclusion list (Robinson)';
    const fitted = fitLabel(label, textWidth('Exclusion list (Robinson)', 12), 12);
    expect(fitted).toEqual({ lines: ['Spring newsletter', 'Exclusion list (Robinson)'], cut: false });
  });

  it('ends a label too long for two lines in an ellipsis, every line within the width', () => {
    const label =
      'Spring newsletter for the loyal customers of the coast hotels · No consent for the channel';
    const fitted = fitLabel(label, 150, 12);
    expect(fitted.cut).toBe(true);
    expect(fitted.lines).toHaveLength(2);
    expect(fitted.lines[1]).toMatch(/…$/);
    for (const line of fitted.lines) expect(textWidth(line, 12)).toBeLessThanOrEqual(150);
  });

  it('cuts one long word with an ellipsis', () => {
    const cut = ellipsize('Supercalifragilisticexpialidocious', 60, 12);
    expect(cut).toMatch(/^Super.*…$/);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(60);
  });
});
