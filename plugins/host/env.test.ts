import { silentLogger } from '../../dataverse/logger';
import { createHostDeps, HostConfigError, readHostEnvironment } from './env';

const complete = {
  IDEARIO_WEBHOOK_KEY: 'Webhook-Key-9731',
  IDEARIO_DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
  IDEARIO_TENANT_ID: 'tenant',
  IDEARIO_CLIENT_ID: 'client',
  IDEARIO_CLIENT_SECRET: 'Client-Secret-4482',
};

describe('readHostEnvironment', () => {
  it('reads every setting, with port 7071 by default', () => {
    expect(readHostEnvironment(complete)).toEqual({
      port: 7071,
      webhookKey: 'Webhook-Key-9731',
      dataverseUrl: 'https://contoso.crm4.dynamics.com',
      tenantId: 'tenant',
      clientId: 'client',
      clientSecret: 'Client-Secret-4482',
    });
    expect(readHostEnvironment({ ...complete, IDEARIO_HOST_PORT: '8080' }).port).toBe(8080);
    expect(readHostEnvironment({ ...complete, IDEARIO_HOST_PORT: '8080' }, { port: 9000 }).port).toBe(9000);
  });

  it('lists every missing or wrong setting at once', () => {
    const attempt = () =>
      readHostEnvironment({ IDEARIO_DATAVERSE_URL: 'contoso', IDEARIO_HOST_PORT: 'eighty' });
    expect(attempt).toThrow(HostConfigError);
    expect(attempt).toThrow(
      [
        'The webhook host cannot start:',
        '- IDEARIO_WEBHOOK_KEY is not set.',
        '- IDEARIO_TENANT_ID is not set.',
        '- IDEARIO_CLIENT_ID is not set.',
        '- IDEARIO_CLIENT_SECRET is not set.',
        "- IDEARIO_DATAVERSE_URL is 'contoso'; use the environment URL, e.g. https://contoso.crm4.dynamics.com.",
        "- IDEARIO_HOST_PORT is 'eighty'; use a port number from 0 to 65535.",
      ].join('\n'),
    );
  });

  it('never puts a secret value into its messages', () => {
    expect.assertions(3);
    try {
      readHostEnvironment({ ...complete, IDEARIO_DATAVERSE_URL: 'nope', IDEARIO_HOST_PORT: '-1' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/IDEARIO_DATAVERSE_URL is 'nope'/);
      expect(message).not.toContain(complete.IDEARIO_WEBHOOK_KEY);
      expect(message).not.toContain(complete.IDEARIO_CLIENT_SECRET);
    }
  });
});

describe('createHostDeps', () => {
  it('wires the WebhookKey secret and a registry of the given handlers', () => {
    const deps = createHostDeps(readHostEnvironment(complete), {
      clock: () => new Date(0),
      logger: silentLogger,
      handlers: [],
    });
    expect(deps.secrets).toEqual({ type: 'WebhookKey', key: complete.IDEARIO_WEBHOOK_KEY });
    expect(deps.handlers.handlers).toEqual([]);
    expect(typeof deps.client.retrieve).toBe('function');
  });
});
