import { neutralizeCell, toCsv } from './csv';

describe('CSV export', () => {
  it.each(['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'neutralises a text cell starting a formula: %j',
    (text) => {
      expect(neutralizeCell(text)).toBe(`'${text}`);
    },
  );

  it('leaves ordinary text and numbers as they are, negative numbers included', () => {
    expect(toCsv(['name', 'score'], [['Ana López', -3.5]])).toBe('name,score\r\nAna López,-3.5\r\n');
  });

  it('quotes commas, quotes and line breaks, after neutralising', () => {
    expect(toCsv(['a'], [['=1,2'], ['say "hi"'], ['two\nlines'], [null]])).toBe(
      'a\r\n"\'=1,2"\r\n"say ""hi"""\r\n"two\nlines"\r\n\r\n',
    );
  });
});
