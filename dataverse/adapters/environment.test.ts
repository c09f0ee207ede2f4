import { silentLogger } from '../logger';
import { connectEnvironment } from './environment';

const deps = { logger: silentLogger, clock: () => new Date('2026-01-01T00:00:00Z') };

it('names the credentials a remote environment still needs, trimming blanks away', () => {
  const result = connectEnvironment(
    new URL('https://contoso.crm4.dynamics.com'),
    { tenantId: 't', clientSecret: '  ' },
    deps,
  );
  expect(result).toEqual({ missing: ['clientId', 'clientSecret'] });
});

it('connects with a token or full credentials, and to an emulator on this machine with neither', () => {
  const remote = new URL('https://contoso.crm4.dynamics.com');
  expect('missing' in connectEnvironment(remote, { token: 'abc' }, deps)).toBe(false);
  expect(
    'missing' in connectEnvironment(remote, { tenantId: 't', clientId: 'c', clientSecret: 's' }, deps),
  ).toBe(false);
  expect('missing' in connectEnvironment(new URL('http://127.0.0.1:5555'), {}, deps)).toBe(false);
});
