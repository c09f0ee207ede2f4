import type { FunctionParameter } from '../client';
import { parseFunctionLiteral } from '../../tools/emulator/http/url';
import { InvalidFunctionParameterError } from './errors';
import { functionLiterals, xrmFunctionParameter } from './function-parameters';

const literal = (value: FunctionParameter) => decodeURIComponent(functionLiterals('Fn', { P: value })[0][1]);
const refusal = (value: unknown) => {
  try {
    functionLiterals('Fn', { P: value as FunctionParameter });
  } catch (error) {
    return error;
  }
  throw new Error('the value was not refused');
};

describe('function parameter literals ("Use Web API functions")', () => {
  it('writes each kind of value as the Web API reads it', () => {
    expect(literal("O'Brien & Sons")).toBe("'O''Brien & Sons'");
    expect(literal('{A3F0E9D8-91D4-EF11-A72E-6045BD8C0A11}')).toBe('a3f0e9d8-91d4-ef11-a72e-6045bd8c0a11');
    expect(literal(-2.5)).toBe('-2.5');
    expect(literal(false)).toBe('false');
    expect(literal(new Date(Date.UTC(2024, 2, 1, 9, 30)))).toBe('2024-03-01T09:30:00.000Z');
    expect(literal({ enumType: 'EntityFilters', members: ['Entity', 'Attributes'] })).toBe(
      "Microsoft.Dynamics.CRM.EntityFilters'Entity,Attributes'",
    );
    expect(literal({ entitySet: 'accounts', id: 'A3F0E9D8-91D4-EF11-A72E-6045BD8C0A11' })).toBe(
      '{"@odata.id":"accounts(a3f0e9d8-91d4-ef11-a72e-6045bd8c0a11)"}',
    );
    expect(literal({ complexType: 'PagingInfo', value: { PageNumber: 1, Count: 50 } })).toBe(
      '{"@odata.type":"Microsoft.Dynamics.CRM.PagingInfo","PageNumber":1,"Count":50}',
    );
    expect(literal(['a,b', "c'd"])).toBe('["a,b","c\'d"]');
    expect(literal([{ enumType: 'EntityFilters', members: ['Entity'] }])).toBe('["Entity"]');
  });

  it('percent-encodes every character that would change the URL, so the alias carries the value whole', () => {
    const [[, encoded]] = functionLiterals('Fn', { P: 'a&b#c%d+e/f?g h' });
    expect(encoded).not.toMatch(/[&#+/? ]/);
    expect(decodeURIComponent(encoded)).toBe("'a&b#c%d+e/f?g h'");
  });

  it.each<[string, FunctionParameter, unknown]>([
    [
      'a string with quotes, JSON and GUID inside',
      'x\'y"z {"a":1} 0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01',
      'x\'y"z {"a":1} 0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01',
    ],
    [
      'a string that starts like an enum',
      "Microsoft.Dynamics.CRM.EntityFilters'Entity'",
      "Microsoft.Dynamics.CRM.EntityFilters'Entity'",
    ],
    ['an empty string', '', ''],
    ['a date', new Date('2024-10-27T01:30:00.000Z'), '2024-10-27T01:30:00.000Z'],
    ['an enum', { enumType: 'Microsoft.Dynamics.CRM.EndpointAccessType', members: ['Default'] }, 'Default'],
    ['a list of numbers', [1, 2.5, -3], [1, 2.5, -3]],
    ['an empty list', [], []],
    [
      'a complex value with awkward strings, a date and a nested list',
      {
        complexType: 'PagingInfo',
        value: {
          PagingCookie: '<cookie page="1" a=\'&amp;\'>\\',
          Count: 5,
          When: new Date(0),
          Tags: ['x', null],
        },
      },
      {
        '@odata.type': 'Microsoft.Dynamics.CRM.PagingInfo',
        PagingCookie: '<cookie page="1" a=\'&amp;\'>\\',
        Count: 5,
        When: '1970-01-01T00:00:00.000Z',
        Tags: ['x', null],
      },
    ],
  ])('%s reaches the emulator parser as the value sent', (_what, value, parsed) => {
    expect(parseFunctionLiteral('P', literal(value))).toEqual(parsed);
  });

  it('leaves an undefined parameter out, as an optional parameter not given', () => {
    expect(functionLiterals('Fn', { A: 1, B: undefined })).toEqual([['A', '1']]);
  });

  it.each<[string, unknown, RegExp]>([
    ['NaN', NaN, /'P' of Fn: NaN is not a finite number/],
    ['Infinity in a list', [1, Infinity], /item 2 is Infinity/],
    ['an invalid Date', new Date('not a date'), /the Date is invalid/],
    ['a mixed list', ['a', 1], /a list holds values of one type, not Edm.String and number/],
    ['a list of objects', [{ a: 1 }], /item 1 is not a string, number, boolean or enum value/],
    [
      'an enum member that is not a name',
      { enumType: 'EntityFilters', members: ["Entity'"] },
      /"Entity'" is not a member name of EntityFilters/,
    ],
    ['an enum with no member', { enumType: 'EntityFilters', members: [] }, /names no member/],
    [
      'a complex type that is not a name',
      { complexType: 'Paging Info', value: {} },
      /'Paging Info' is not a complex type name/,
    ],
    [
      'a function in a complex value',
      { complexType: 'PagingInfo', value: { Count: () => 1 } },
      /PagingInfo.Count is a function/,
    ],
    [
      'a Map in a complex value',
      { complexType: 'PagingInfo', value: { Keys: new Map() } },
      /PagingInfo.Keys is a Map, not a plain object/,
    ],
    [
      'NaN in a complex value',
      { complexType: 'PagingInfo', value: { Count: NaN } },
      /PagingInfo.Count is NaN/,
    ],
    ['null', null, /it is null; leave an optional parameter out instead/],
    ['an object of no known shape', { name: 'x' }, /must be a record \{ entitySet, id \}/],
  ])('refuses %s before sending, naming the function and the parameter', (_what, value, message) => {
    const error = refusal(value);
    expect(error).toBeInstanceOf(InvalidFunctionParameterError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a complex value that refers back to itself', () => {
    const value: Record<string, unknown> = { Count: 1 };
    value.Self = value;
    expect((refusal({ complexType: 'PagingInfo', value }) as Error).message).toMatch(
      /PagingInfo.Self refers back to itself/,
    );
  });
});

describe('function parameters for Xrm.WebApi.online.execute', () => {
  it('types each value as getMetadata describes it (structuralProperty 1 primitive, 2 complex, 4 collection)', () => {
    expect(xrmFunctionParameter('Fn', 'P', new Date(0))).toEqual({
      value: '1970-01-01T00:00:00.000Z',
      type: { typeName: 'Edm.DateTimeOffset', structuralProperty: 1 },
    });
    expect(xrmFunctionParameter('Fn', 'P', '0B7C9A10-1111-4C1E-9A51-3E2F8D7C6B01').type.typeName).toBe(
      'Edm.Guid',
    );
    expect(xrmFunctionParameter('Fn', 'P', { complexType: 'PagingInfo', value: { Count: 5 } })).toEqual({
      value: { '@odata.type': 'Microsoft.Dynamics.CRM.PagingInfo', Count: 5 },
      type: { typeName: 'mscrm.PagingInfo', structuralProperty: 2 },
    });
    expect(xrmFunctionParameter('Fn', 'P', [1.5, 2]).type).toEqual({
      typeName: 'Collection(Edm.Double)',
      structuralProperty: 4,
    });
  });

  it('refuses an enum value, whose member numbers Xrm needs and a name does not give', () => {
    expect(() =>
      xrmFunctionParameter('RetrieveCurrentOrganization', 'AccessType', {
        enumType: 'EndpointAccessType',
        members: ['Default'],
      }),
    ).toThrow(/'AccessType' of RetrieveCurrentOrganization: Xrm.WebApi.online.execute needs the number/);
  });
});
