import type { AuthenticationResult, ClientCredentialRequest } from '@azure/msal-node';
import {
  createClientCredentialsTokenProvider,
  dataverseScope,
  TokenAcquisitionError,
  type ClientCredentialApp,
} from './msal';

const HOUR = 60 * 60 * 1000;

function fakeApp(now: () => number) {
  const requests: ClientCredentialRequest[] = [];
  let issued = 0;
  let fail: Error | null = null;
  const app: ClientCredentialApp = {
    acquireTokenByClientCredential(request) {
      requests.push(request);
      if (fail) return Promise.reject(fail);
      issued++;
      return Promise.resolve({
        accessToken: `token-${issued}`,
        expiresOn: new Date(now() + HOUR),
      } as AuthenticationResult);
    },
  };
  return { app, requests, failWith: (error: Error | null) => (fail = error) };
}

describe('createClientCredentialsTokenProvider', () => {
  let now: number;
  const clock = () => new Date(now);
  beforeEach(() => (now = Date.parse('2026-01-07T14:00:00Z')));

  const provider = (app: ClientCredentialApp) =>
    createClientCredentialsTokenProvider({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'c1',
      clientSecret: 'Never-Shown-123',
      url: 'https://contoso.crm4.dynamics.com/main.aspx',
      clock,
      app,
    });

  it('asks for the environment’s .default scope', async () => {
    const { app, requests } = fakeApp(() => now);
    await provider(app)();
    expect(requests).toEqual([{ scopes: ['https://contoso.crm4.dynamics.com/.default'] }]);
    expect(dataverseScope('https://org.crm.dynamics.com/')).toBe('https://org.crm.dynamics.com/.default');
  });

  it('reuses the token until five minutes before it expires, then renews it', async () => {
    const { app, requests } = fakeApp(() => now);
    const getToken = provider(app);
    expect(await getToken()).toBe('token-1');
    now += HOUR - 6 * 60 * 1000;
    expect(await getToken()).toBe('token-1');
    now += 2 * 60 * 1000;
    expect(await getToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('shares one acquisition between concurrent callers', async () => {
    const { app, requests } = fakeApp(() => now);
    const getToken = provider(app);
    expect(await Promise.all([getToken(), getToken(), getToken()])).toEqual([
      'token-1',
      'token-1',
      'token-1',
    ]);
    expect(requests).toHaveLength(1);
  });

  it('explains a refusal without the secret, and tries again on the next call', async () => {
    const { app, failWith } = fakeApp(() => now);
    const getToken = provider(app);
    failWith(new Error('AADSTS7000215: Invalid client secret provided.'));
    const refused = getToken();
    await expect(refused).rejects.toBeInstanceOf(TokenAcquisitionError);
    await expect(refused).rejects.toThrow(/client c1 in tenant contoso\.onmicrosoft\.com: AADSTS7000215/);
    await expect(getToken()).rejects.not.toThrow(/Never-Shown-123/);
    failWith(null);
    expect(await getToken()).toBe('token-1');
  });
});
