import { ResourceStringNotFoundError, resourceStringReader } from './resources';

const resources = {
  'idr_/x/strings': { 1033: { hello: 'Hello', onlyEnglish: 'Only in English' }, 3082: { hello: 'Hola' } },
};

describe('getResourceString in the harness', () => {
  it('answers in the user’s language, else in the organization’s base language', () => {
    const spanish = resourceStringReader(resources, 3082, 1033);
    expect(spanish('idr_/x/strings', 'hello')).toBe('Hola');
    expect(spanish('idr_/x/strings', 'onlyEnglish')).toBe('Only in English');
    expect(resourceStringReader(resources, 1033)('idr_/x/strings', 'hello')).toBe('Hello');
  });

  it('says which RESX is not loaded, or which key it lacks', () => {
    const read = resourceStringReader(resources, 1033);
    expect(() => read('idr_/y/strings', 'hello')).toThrow(ResourceStringNotFoundError);
    expect(() => read('idr_/y/strings', 'hello')).toThrow("No RESX web resource 'idr_/y/strings' is loaded");
    expect(() => read('idr_/x/strings', 'bye')).toThrow("'idr_/x/strings' has no string 'bye'");
  });
});
