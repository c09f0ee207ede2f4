import { verifyRequest } from '../../../plugins/host/verify';
import type { ServiceEndpointModel } from '../../solution/model';
import { AUTH_TYPE, mergeWebhookSettings, resolveEndpoint, webhookSettingsFromEnv } from './config';
import { WebhookConfigurationError } from './errors';
import { TEST_SOLUTION } from './webhooks.testkit';

const endpoint = (authType: number): ServiceEndpointModel => ({
  id: 'e',
  name: 'Ideario webhook',
  contract: 8,
  messageFormat: 2,
  authType,
  file: 'x',
});

function lowerHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('where a service endpoint posts', () => {
  it("adds the host's webhook route and the solution to a base URL, and keeps a URL that already names it", () => {
    const key = 'k';
    expect(
      resolveEndpoint({ url: 'http://127.0.0.1:7071', key }, endpoint(AUTH_TYPE.WebhookKey), TEST_SOLUTION)
        ?.url,
    ).toBe(`http://127.0.0.1:7071/api/webhook/${TEST_SOLUTION}?code=k`);
    expect(
      resolveEndpoint(
        { url: 'https://fn.example.net/api/webhook', key },
        endpoint(AUTH_TYPE.WebhookKey),
        TEST_SOLUTION,
      )?.url,
    ).toBe(`https://fn.example.net/api/webhook/${TEST_SOLUTION}?code=k`);
    expect(
      resolveEndpoint(
        { url: 'https://fn.example.net/api/webhook/Custom?x=1', key },
        endpoint(AUTH_TYPE.WebhookKey),
        TEST_SOLUTION,
      )?.url,
    ).toBe('https://fn.example.net/api/webhook/Custom?x=1&code=k');
  });

  it('is undefined without a URL, so the dispatcher can say webhooks are off', () => {
    expect(resolveEndpoint({ key: 'k' }, endpoint(AUTH_TYPE.WebhookKey), TEST_SOLUTION)).toBeUndefined();
  });

  it('prefers the settings of the endpoint or its solution over the defaults', () => {
    const settings = {
      url: 'http://a',
      key: 'a',
      endpoints: { [TEST_SOLUTION]: { url: 'http://b', key: 'b' } },
    };
    expect(resolveEndpoint(settings, endpoint(AUTH_TYPE.WebhookKey), TEST_SOLUTION)?.url).toBe(
      `http://b/api/webhook/${TEST_SOLUTION}?code=b`,
    );
  });
});

describe('the secret a request carries, as the host verifies it', () => {
  it.each([
    ['WebhookKey', AUTH_TYPE.WebhookKey, 's3cret'],
    ['HttpHeader', AUTH_TYPE.HttpHeader, 'x-api-key=s3cret&x-tenant=contoso'],
    ['HttpQueryString', AUTH_TYPE.HttpQueryString, 'token=s3cret'],
  ])('%s passes the host verification with the same configuration', (_name, authType, key) => {
    const target = resolveEndpoint({ url: 'http://127.0.0.1:7071', key }, endpoint(authType), TEST_SOLUTION);
    const auth = target?.auth;
    if (!target || !auth) throw new Error('no auth resolved');
    const url = new URL(target.url);
    expect(() =>
      verifyRequest({ url: `${url.pathname}${url.search}`, headers: lowerHeaders(target.headers) }, auth),
    ).not.toThrow();
    expect(() => verifyRequest({ url: url.pathname, headers: {} }, auth)).toThrow();
  });

  it('puts an HttpHeader secret in headers, never in the URL', () => {
    const target = resolveEndpoint(
      { url: 'http://h', key: 'x-api-key=s3cret' },
      endpoint(AUTH_TYPE.HttpHeader),
      TEST_SOLUTION,
    );
    expect(target?.headers).toEqual({ 'x-api-key': 's3cret' });
    expect(target?.url).not.toContain('s3cret');
  });

  it('refuses a bare value for header or query-string authentication, saying how to write it', () => {
    expect(() =>
      resolveEndpoint({ url: 'http://h', key: 's3cret' }, endpoint(AUTH_TYPE.HttpHeader), TEST_SOLUTION),
    ).toThrow(WebhookConfigurationError);
    expect(() =>
      resolveEndpoint({ url: 'http://h', key: 's3cret' }, endpoint(AUTH_TYPE.HttpQueryString), TEST_SOLUTION),
    ).toThrow(/name=value/);
  });
});

describe('configuration sources', () => {
  it('reads IDEARIO_WEBHOOK_URL and IDEARIO_WEBHOOK_KEY, and lets CLI options win', () => {
    const env = webhookSettingsFromEnv({
      IDEARIO_WEBHOOK_URL: ' http://env ',
      IDEARIO_WEBHOOK_KEY: 'env-key',
    });
    expect(env).toEqual({ url: 'http://env', key: 'env-key' });
    expect(mergeWebhookSettings({ webhookUrl: 'http://cli' }, env)).toEqual({
      url: 'http://cli',
      key: 'env-key',
    });
    expect(webhookSettingsFromEnv({})).toEqual({});
  });
});
