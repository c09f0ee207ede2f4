import { parseMultipart } from '@remix-run/multipart-parser';
test('probe', () => {
  const body = new TextEncoder().encode('--b\r\nContent-Type: application/http\r\n\r\nGET x HTTP/1.1\r\n\r\n--b--\r\n');
  const parts = [...parseMultipart(body, { boundary: 'b' })];
  expect(parts[0]?.text).toContain('GET');
});
