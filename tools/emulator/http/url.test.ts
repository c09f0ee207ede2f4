import { BadRequestError, InvalidEntityReferenceError } from '../engine/errors';
import { functionParameters, parseQuery } from './url';

describe('functionParameters ("Use Web API functions")', () => {
  it('reads inline literals and aliases from a form-encoded query string', () => {
    const query = parseQuery(
      "@p1='Pacific+Standard+Time'&@p2=1033&@p3='O''Brien+%2B34'&@p4=%5B%22contact%22%5D",
    );
    expect(
      functionParameters(
        "LocalizedStandardName=@p1,LocaleId=@p2,Name=@p3,EntityNames=@p4,Flag=true,Id=6C2EA4A1-0C53-4A8E-9B7E-000000000001,Filter=Microsoft.Dynamics.CRM.EntityFilters'Entity'",
        query,
      ),
    ).toEqual({
      LocalizedStandardName: 'Pacific Standard Time',
      LocaleId: 1033,
      Name: "O'Brien +34",
      EntityNames: ['contact'],
      Flag: true,
      Id: '6c2ea4a1-0c53-4a8e-9b7e-000000000001',
      Filter: 'Entity',
    });
    expect(functionParameters('', query)).toEqual({});
  });

  it('refuses an alias with no value and a value that is no literal, naming the parameter', () => {
    expect(() => functionParameters('Name=@p9', parseQuery(''))).toThrow(BadRequestError);
    expect(() => functionParameters('Name=@p9', parseQuery(''))).toThrow(/@p9 of 'Name'/);
    expect(() => functionParameters('Name=bare words', parseQuery(''))).toThrow(
      /'Name' is not an OData literal/,
    );
  });

  it('reads a record reference, JSON or as the doc writes it, and refuses one that names no record', () => {
    const id = '9f3162f6-804a-e611-80d1-00155d4333fa';
    const query = parseQuery(
      `@t=${encodeURIComponent(`{"@odata.id":"accounts(${id})"}`)}&@q={'@odata.id':'accounts(${id})'}`,
    );
    expect(functionParameters('Target=@t,Other=@q', query)).toEqual({
      Target: { '@odata.id': `accounts(${id})` },
      Other: { '@odata.id': `accounts(${id})` },
    });
    for (const bad of ['{"@odata.id":"accounts"}', '{"@odata.id":42}', "{'@odata.id':'(x)'}"]) {
      const call = () => functionParameters('Target=@t', parseQuery(`@t=${encodeURIComponent(bad)}`));
      expect(call).toThrow(InvalidEntityReferenceError);
      expect(call).toThrow(/'Target' must reference a record as \{"@odata.id":"<entityset>\(<id>\)"\}/);
    }
  });
});
