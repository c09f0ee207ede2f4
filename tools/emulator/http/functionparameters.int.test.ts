/**
 * Function parameters that are not plain strings or records, end to end: DataverseClient.executeFunction
 * with a Date, an enum value, complex values and lists reaches the emulator over HTTP (dynamics-web-api,
 * parameter aliases, as against Dataverse) and in process, and both arrive as the same values.
 */
import { InvalidFunctionParameterError } from '../../../dataverse/adapters/errors';
import { createNodeClient } from '../../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../../dataverse/client';
import { InProcessClient } from '../inprocess-client';
import { startEmulator, type RunningEmulator } from '../start';

/** "Romance Standard Time" (Madrid): UTC+1 in winter, UTC+2 in summer. */
const MADRID = 105;
/** A function of the caller's own, as a Custom API would be, answering the parameters it received. */
const ECHO = 'new_EchoParameters';

let emulator: RunningEmulator;
let clients: Record<'over HTTP' | 'in process', DataverseClient>;

beforeAll(async () => {
  emulator = await startEmulator({ memory: true, port: 0, demo: false });
  emulator.engine.registerAction(ECHO, ({ body }) => ({ Received: body }), {
    transactional: false,
    isFunction: true,
  });
  clients = {
    'over HTTP': createNodeClient({
      url: emulator.url,
      getToken: () => Promise.resolve('token'),
      retry: { maxAttempts: 1 },
    }),
    'in process': new InProcessClient(emulator.engine),
  };
});

afterAll(async () => {
  await emulator.close();
});

describe.each(['over HTTP', 'in process'] as const)('function parameters, %s', (way) => {
  const client = () => clients[way];

  it('LocalTimeFromUtcTime takes a Date as an Edm.DateTimeOffset and answers the Madrid wall-clock time', async () => {
    const local = (utc: string) =>
      client().executeFunction('LocalTimeFromUtcTime', { TimeZoneCode: MADRID, UtcTime: new Date(utc) });
    expect(await local('2024-01-15T10:00:00Z')).toMatchObject({ LocalTime: '2024-01-15T11:00:00Z' });
    expect(await local('2024-07-01T10:00:00Z')).toMatchObject({ LocalTime: '2024-07-01T12:00:00Z' });
  });

  it("RetrieveCurrentOrganization takes an enum value (Microsoft.Dynamics.CRM.EndpointAccessType'Default')", async () => {
    const me = (await client().executeFunction('WhoAmI')) as { OrganizationId: string };
    const answer = (await client().executeFunction('RetrieveCurrentOrganization', {
      AccessType: { enumType: 'EndpointAccessType', members: ['Default'] },
    })) as { Detail: Record<string, unknown> };
    expect(answer.Detail).toMatchObject({ OrganizationId: me.OrganizationId, State: 'Enabled' });
  });

  it('a member the enum type does not have is refused with 400, naming it', async () => {
    await expect(
      client().executeFunction('RetrieveCurrentOrganization', {
        AccessType: { enumType: 'EndpointAccessType', members: ['Extranet'] },
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('"Extranet"') as unknown });
  });

  it('strings, GUIDs, lists and complex values arrive as they were sent, whatever characters they hold', async () => {
    const awkward = `O'Brien & "Sons" #1 100% a+b/c?d=e\\f Año €`;
    const answer = (await client().executeFunction(ECHO, {
      Text: awkward,
      Inside: 'ref 0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01 (see above)',
      LooksLikeEnum: "Microsoft.Dynamics.CRM.EntityFilters'Entity'",
      Id: '{0B7C9A10-1111-4C1E-9A51-3E2F8D7C6B01}',
      Amount: -12.75,
      Flag: true,
      Names: [awkward, 'a,b', ''],
      Filters: [{ enumType: 'EntityFilters', members: ['Entity', 'Attributes'] }],
      Paging: {
        complexType: 'PagingInfo',
        value: { PageNumber: 2, Count: 50, PagingCookie: `<cookie page="1" x='${awkward}' />` },
      },
    })) as { Received: Record<string, unknown> };
    expect(answer.Received).toEqual({
      Text: awkward,
      Inside: 'ref 0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01 (see above)',
      LooksLikeEnum: "Microsoft.Dynamics.CRM.EntityFilters'Entity'",
      Id: '0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01',
      Amount: -12.75,
      Flag: true,
      Names: [awkward, 'a,b', ''],
      Filters: ['Entity,Attributes'],
      Paging: {
        '@odata.type': 'Microsoft.Dynamics.CRM.PagingInfo',
        PageNumber: 2,
        Count: 50,
        PagingCookie: `<cookie page="1" x='${awkward}' />`,
      },
    });
  });

  it('a value with no Web API literal is refused before anything is sent', async () => {
    emulator.stats.reset();
    await expect(
      client().executeFunction('LocalTimeFromUtcTime', {
        TimeZoneCode: MADRID,
        UtcTime: new Date('31/12/2024'),
      }),
    ).rejects.toThrow(InvalidFunctionParameterError);
    // A list read from JSON, which the compiler cannot check.
    const mixed = JSON.parse('["a", 1]') as string[];
    await expect(client().executeFunction(ECHO, { Names: mixed })).rejects.toThrow(
      /Cannot send parameter 'Names' of new_EchoParameters: a list holds values of one type/,
    );
    expect(emulator.stats.snapshot().requests).toBe(0);
  });
});
