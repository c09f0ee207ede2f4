import { request } from 'node:http';
import { memoryLogger } from '../../dataverse/logger';
import { Command } from 'commander';
import { registerHost, runHost } from './host';

const env = {
  IDEARIO_WEBHOOK_KEY: 'cli-key',
  IDEARIO_DATAVERSE_URL: 'https://contoso.crm4.dynamics.com',
  IDEARIO_TENANT_ID: 'contoso.onmicrosoft.com',
  IDEARIO_CLIENT_ID: '00000000-0000-0000-0000-0000000000c1',
  IDEARIO_CLIENT_SECRET: 'cli-secret',
};

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('ideario host', () => {
  it('refuses to start without its settings, naming each missing one', async () => {
    const logger = memoryLogger();
    const printed: string[] = [];
    const host = await runHost({ host: '127.0.0.1' }, { IDEARIO_WEBHOOK_KEY: 'k' }, logger, (l) =>
      printed.push(l),
    );
    expect(host).toBeNull();
    expect(printed).toEqual([]);
    expect(logger.lines.join('\n')).toMatch(
      /IDEARIO_DATAVERSE_URL is not set\.[\s\S]*IDEARIO_CLIENT_SECRET is not set\./,
    );
  });

  it('listens on loopback unless --host says otherwise', () => {
    const program = new Command();
    registerHost(program, memoryLogger());
    const option = program.commands
      .find((c) => c.name() === 'host')
      ?.options.find((o) => o.long === '--host');
    expect(option?.defaultValue).toBe('127.0.0.1');
    expect(option?.description).toMatch(/0\.0\.0\.0 to be reachable from Dataverse/);
  });

  it('refuses a --port that is not a port', async () => {
    const logger = memoryLogger();
    expect(await runHost({ host: '127.0.0.1', port: 'http' }, env, logger, () => undefined)).toBeNull();
    expect(logger.lines[0]).toMatch(/--port is 'http'; use a port number from 0 to 65535\./);
  });

  it('starts on the given port, prints where it listens, and answers /health', async () => {
    const printed: string[] = [];
    const host = await runHost({ host: '127.0.0.1', port: '0' }, env, memoryLogger(), (l) => printed.push(l));
    expect(host).not.toBeNull();
    try {
      expect(printed[0]).toBe(
        `Webhook host listening on ${host!.url}/api/webhook (health: ${host!.url}/health)`,
      );
      expect(printed[1]).toMatch(
        /handler\(s\), \d+ scheduled job\(s\); Dataverse at https:\/\/contoso\.crm4\.dynamics\.com$/,
      );
      expect(printed.join('\n')).not.toContain('cli-secret');
      expect((await get(`${host!.url}/health`)).status).toBe(200);
    } finally {
      await host?.close();
    }
  });
});
