import { formatBatchResponse, parseBatch } from './batch';

const CRLF = (lines: string[]) => lines.join('\r\n');

it('parses requests and changesets as the Web API documentation writes them', () => {
  const body = CRLF([
    '--batch_AAA123',
    'Content-Type: multipart/mixed; boundary=changeset_BBB456',
    '',
    '--changeset_BBB456',
    'Content-Type: application/http',
    'Content-Transfer-Encoding:binary',
    'Content-ID: 1',
    '',
    'POST https://org.crm.dynamics.com/api/data/v9.2/accounts HTTP/1.1',
    'Content-Type: application/json;type=entry',
    '',
    '{"name":"QQQQ","revenue": 1.50}',
    '--changeset_BBB456',
    'Content-Type: application/http',
    'Content-Transfer-Encoding:binary',
    'Content-ID: 2',
    '',
    'PATCH $1 HTTP/1.1',
    'Content-Type: application/json',
    'If-Match: *',
    '',
    '{"primarycontactid@odata.bind":"$1"}',
    '--changeset_BBB456--',
    '--batch_AAA123',
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    '',
    'GET /api/data/v9.2/accounts?$select=name HTTP/1.1',
    '',
    '',
    '--batch_AAA123--',
  ]);
  const items = parseBatch(body, 'multipart/mixed;boundary=batch_AAA123');
  expect(items).toHaveLength(2);
  const [changeset, get] = items;
  expect(changeset).toMatchObject({
    kind: 'changeset',
    requests: [
      {
        method: 'POST',
        url: 'https://org.crm.dynamics.com/api/data/v9.2/accounts',
        contentId: '1',
        body: '{"name":"QQQQ","revenue": 1.50}',
      },
      { method: 'PATCH', url: '$1', contentId: '2', headers: { 'if-match': '*' } },
    ],
  });
  expect(get).toMatchObject({
    kind: 'request',
    request: { method: 'GET', url: '/api/data/v9.2/accounts?$select=name', body: '' },
  });
});

it('refuses GET inside a changeset, a missing boundary and more than 1000 requests', () => {
  const get = CRLF([
    '--b',
    'Content-Type: multipart/mixed; boundary=c',
    '',
    '--c',
    'Content-Type: application/http',
    '',
    'GET /api/data/v9.2/accounts HTTP/1.1',
    '',
    '--c--',
    '--b--',
  ]);
  expect(() => parseBatch(get, 'multipart/mixed; boundary=b')).toThrow('not allowed in a changeset');
  expect(() => parseBatch('x', 'application/json')).toThrow('multipart/mixed; boundary');
  const many = [
    ...Array.from({ length: 1001 }, () =>
      CRLF(['--b', 'Content-Type: application/http', '', 'GET accounts HTTP/1.1', '']),
    ),
    '--b--',
  ].join('\r\n');
  expect(() => parseBatch(many, 'multipart/mixed; boundary=b')).toThrow('limit of 1000');
});

it('writes batchresponse and changesetresponse parts with Content-ID echoed', () => {
  let n = 0;
  const { contentType, body } = formatBatchResponse(
    [
      {
        kind: 'changeset',
        responses: [
          {
            status: 204,
            headers: { 'OData-EntityId': 'http://x/api/data/v9.2/accounts(1)' },
            contentId: '1',
          },
        ],
      },
      {
        kind: 'response',
        response: {
          status: 400,
          headers: { 'Content-Type': 'application/json' },
          body: '{"error":{"code":"0x80044331","message":"m"}}',
        },
      },
    ],
    () => `id${++n}`,
  );
  expect(contentType).toBe('multipart/mixed; boundary=batchresponse_id1');
  expect(body).toBe(
    CRLF([
      '--batchresponse_id1',
      'Content-Type: multipart/mixed; boundary=changesetresponse_id2',
      '',
      '--changesetresponse_id2',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-EntityId: http://x/api/data/v9.2/accounts(1)',
      '',
      '',
      '--changesetresponse_id2--',
      '--batchresponse_id1',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json',
      '',
      '{"error":{"code":"0x80044331","message":"m"}}',
      '--batchresponse_id1--',
      '',
    ]),
  );
});
