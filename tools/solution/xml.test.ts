import { canonicalXml, el, encodeUtf8, parseXml, writeXml, XmlSyntaxError } from './xml';

const EXPORTED = [
  '\uFEFF<?xml version="1.0" encoding="utf-8"?>',
  '<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
  '  <!-- Unique Name of Cds Solution-->',
  '  <Publisher>',
  '    <EMailAddress xsi:nil="true"></EMailAddress>',
  '    <Description description="Tom &amp; Jerry &lt;3" languagecode="1033" />',
  '  </Publisher>',
  '  <MobileOfflineFilters>',
  '\t\t&lt;fetch version="1.0"&gt;',
  '\t\t</MobileOfflineFilters>',
  '  <Data><![CDATA[a < b]]></Data>',
  '</ImportExportXml>',
].join('\r\n');

describe('parseXml / writeXml', () => {
  it('keeps attribute order, comments, nil markers and leaf text through a read and a write', () => {
    const text = writeXml(parseXml(EXPORTED));
    expect(text).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        '  <!-- Unique Name of Cds Solution-->',
        '  <Publisher>',
        '    <EMailAddress xsi:nil="true" />',
        '    <Description description="Tom &amp; Jerry &lt;3" languagecode="1033" />',
        '  </Publisher>',
        '  <MobileOfflineFilters>',
        '\t\t&lt;fetch version="1.0"&gt;',
        '\t\t</MobileOfflineFilters>',
        '  <Data><![CDATA[a < b]]></Data>',
        '</ImportExportXml>',
      ].join('\n'),
    );
  });

  it('writes solution zip parts the way Dataverse does: byte order mark, CRLF, " />"', () => {
    const bytes = encodeUtf8(
      writeXml(el('Types', { a: 'x' }, el('Default', { Extension: 'xml' })), { bom: true, newline: '\r\n' }),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\r\n<Types a="x">\r\n  <Default Extension="xml" />\r\n</Types>',
    );
  });

  it('records whether the text had a byte order mark and where each element starts', () => {
    const doc = parseXml(encodeUtf8(EXPORTED));
    expect(doc.bom).toBe(true);
    expect(doc.root.line).toBe(2);
  });

  it('escapes what must be escaped when it writes built elements', () => {
    const text = writeXml(el('a', { v: 'say "hi"\n& <go>' }, 'x < y & z'), { declaration: false });
    expect(text).toBe('<a v="say &quot;hi&quot;&#xA;&amp; &lt;go>">x &lt; y &amp; z</a>');
    expect(parseXml(text).root.attributes[0].value).toBe('say "hi"\n& <go>');
  });

  it.each([
    ['<a>\n<b></c>\n</a>', 2, 'does not match'],
    ['<a>\n\nTom & Jerry</a>', 3, "bare '&'"],
    ['<!DOCTYPE a []>\n<a/>', 1, 'DOCTYPE'],
    ['<a x="1" x="2"/>', 1, 'duplicate attribute'],
    ['<a>\n<b>', 2, 'not closed'],
    ['<a/><b/>', 1, 'after the root'],
    ['<a>&#xZZ;</a>', 1, 'bad character reference'],
    ['<a>\n&nbsp;</a>', 2, 'unknown entity'],
  ])('reports malformed XML with its line: %j', (text, line, reason) => {
    let error: unknown;
    try {
      parseXml(text, 'broken.xml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlSyntaxError);
    expect((error as XmlSyntaxError).line).toBe(line);
    expect((error as XmlSyntaxError).message).toContain('broken.xml');
    expect((error as XmlSyntaxError).reason).toContain(reason);
  });
});

describe('canonicalXml', () => {
  const base = '<r xmlns:xsi="urn:x"><a id="1" name="x"><b>text</b><c/></a></r>';

  it.each([
    ['attribute order', '<r xmlns:xsi="urn:x"><a name="x" id="1"><b>text</b><c/></a></r>'],
    [
      'indentation and CRLF',
      '<r xmlns:xsi="urn:x">\r\n  <a id="1" name="x">\r\n    <b>text</b>\r\n    <c />\r\n  </a>\r\n</r>',
    ],
    ['BOM and declaration', '\uFEFF<?xml version="1.0" encoding="utf-8"?>\n' + base],
    ['comments', '<r xmlns:xsi="urn:x"><!-- x --><a id="1" name="x"><b>text</b><!-- y --><c/></a></r>'],
    ['empty element spelling', '<r xmlns:xsi="urn:x"><a id="1" name="x"><b>text</b><c></c></a></r>'],
    [
      'CDATA instead of escaped text',
      '<r xmlns:xsi="urn:x"><a id="1" name="x"><b><![CDATA[text]]></b><c/></a></r>',
    ],
  ])('ignores %s', (_what, variant) => {
    expect(canonicalXml(variant)).toBe(canonicalXml(base));
  });

  it.each([
    ['a changed text', '<r xmlns:xsi="urn:x"><a id="1" name="x"><b>Text</b><c/></a></r>'],
    ['a changed attribute value', '<r xmlns:xsi="urn:x"><a id="2" name="x"><b>text</b><c/></a></r>'],
    ['a missing attribute', '<r xmlns:xsi="urn:x"><a id="1"><b>text</b><c/></a></r>'],
    ['element order', '<r xmlns:xsi="urn:x"><a id="1" name="x"><c/><b>text</b></a></r>'],
    ['text padding in a leaf', '<r xmlns:xsi="urn:x"><a id="1" name="x"><b> text</b><c/></a></r>'],
  ])('still sees %s', (_what, variant) => {
    expect(canonicalXml(variant)).not.toBe(canonicalXml(base));
  });

  it('ignores the order of components only when asked, and only between components', () => {
    const one =
      '<ImportExportXml><Entities><Entity><Name>b</Name></Entity><Entity><Name>a</Name></Entity></Entities></ImportExportXml>';
    const two =
      '<ImportExportXml><Entities><Entity><Name>a</Name></Entity><Entity><Name>b</Name></Entity></Entities></ImportExportXml>';
    expect(canonicalXml(one)).not.toBe(canonicalXml(two));
    expect(canonicalXml(one, { ignoreComponentOrder: true })).toBe(
      canonicalXml(two, { ignoreComponentOrder: true }),
    );
    const inner1 = '<Entities><Entity><Name>a</Name><Type>x</Type></Entity></Entities>';
    const inner2 = '<Entities><Entity><Type>x</Type><Name>a</Name></Entity></Entities>';
    expect(canonicalXml(inner1, { ignoreComponentOrder: true })).not.toBe(
      canonicalXml(inner2, { ignoreComponentOrder: true }),
    );
  });
});
