import { parseODataOptions, toQueryOptions } from './webapi';
import { UnsupportedQueryError } from './errors';

describe('Xrm.WebApi options → DataverseClient query', () => {
  it('reads $select, $filter, $orderby and $top, with or without the leading ?', () => {
    expect(toQueryOptions("?$select=a,b&$filter=c eq 'x'&$orderby=a desc,b&$top=1", 50)).toEqual({
      select: ['a', 'b'],
      filter: "c eq 'x'",
      orderBy: ['a desc', 'b'],
      top: 1,
      pageSize: 50,
    });
    expect(toQueryOptions('$top=3')).toEqual({ top: 3 });
  });

  it('keeps an & inside a quoted literal in the filter', () => {
    expect(parseODataOptions("?$filter=name eq 'Smith & Sons'&$top=2").get('$filter')).toBe(
      "name eq 'Smith & Sons'",
    );
  });

  it('decodes percent-encoded values and keeps unencoded ones as written', () => {
    expect(parseODataOptions('?$filter=a%20eq%201').get('$filter')).toBe('a eq 1');
    expect(parseODataOptions('?$filter=a eq 100%').get('$filter')).toBe('a eq 100%');
  });

  it('refuses options it cannot translate instead of silently dropping them', () => {
    expect(() => toQueryOptions('?$expand=x($select=y)')).toThrow(UnsupportedQueryError);
    expect(() => toQueryOptions('?$top=many')).toThrow(/\$top=many is not a whole number/);
  });
});
