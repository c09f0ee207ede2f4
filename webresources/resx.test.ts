import { InvalidResxError, readResx, writeResx } from './resx';

describe('RESX strings', () => {
  it('reads back what it writes, markup characters and accents included', () => {
    const strings = { 'form.cannotSave': 'Fix <this> & "that": {issues}', 'field.children': 'Niños' };
    const text = writeResx(strings);
    expect(text).toContain('<data name="field.children" xml:space="preserve">');
    expect(text).not.toContain('<this>');
    expect(readResx(text)).toEqual(strings);
  });

  it('refuses a file that is not RESX, naming it', () => {
    expect(() => readResx('{"a":"b"}', 'idr_/x/strings.1033.resx')).toThrow(InvalidResxError);
    expect(() => readResx('{"a":"b"}', 'idr_/x/strings.1033.resx')).toThrow('idr_/x/strings.1033.resx');
  });
});
