/**
 * Two unbound functions of the Web API Function Reference whose parameters are not plain strings or
 * records, so a client's enum and date literals can be tried end to end against the emulator.
 */
import { organization } from '../../../dataverse/generated/organization';
import type { ActionRequest, Engine } from './engine';
import { BadRequestError, RecordNotFoundError, UnknownTableError } from './errors';
import { TIME_ZONE_CODES } from './timezones';
import { formatStoredDateTime } from './values';
import { toWall } from './zones';

export function registerInformationFunctions(engine: Engine): void {
  engine.registerAction('LocalTimeFromUtcTime', localTimeFromUtcTime, {
    transactional: false,
    isFunction: true,
  });
  engine.registerAction('RetrieveCurrentOrganization', retrieveCurrentOrganization, {
    transactional: false,
    isFunction: true,
  });
}

/**
 * "LocalTimeFromUtcTime Function" (learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/
 * localtimefromutctime): TimeZoneCode (Edm.Int32, a timezonedefinition code) and UtcTime
 * (Edm.DateTimeOffset) give LocalTimeFromUtcTimeResponse { LocalTime }, the wall-clock time in that zone.
 */
function localTimeFromUtcTime({ body, name }: ActionRequest): { LocalTime: string } {
  const code = body.TimeZoneCode;
  if (typeof code !== 'number' || !Number.isInteger(code))
    throw new BadRequestError(
      `${name} needs 'TimeZoneCode' (an Edm.Int32 time zone code); got ${JSON.stringify(code ?? null)}.`,
    );
  const zone = TIME_ZONE_CODES[code];
  if (!zone)
    throw new BadRequestError(
      `${name}: no time zone has the code ${code}; the emulator knows ${Object.keys(TIME_ZONE_CODES).join(', ')}.`,
    );
  const utc = body.UtcTime;
  const instant = typeof utc === 'string' ? new Date(utc) : undefined;
  if (!instant || Number.isNaN(instant.getTime()))
    throw new BadRequestError(
      `${name} needs 'UtcTime' (an Edm.DateTimeOffset such as 2024-03-01T09:30:00Z); got ${JSON.stringify(utc ?? null)}.`,
    );
  return { LocalTime: formatStoredDateTime(toWall(instant, zone.iana)) };
}

/** "EndpointAccessType EnumType": the members RetrieveCurrentOrganization's AccessType accepts. */
const ENDPOINT_ACCESS_TYPES: ReadonlySet<string> = new Set(['Default', 'Internet', 'Intranet']);

/**
 * "RetrieveCurrentOrganization Function": AccessType (EndpointAccessType, sent as
 * `Microsoft.Dynamics.CRM.EndpointAccessType'Default'`) gives { Detail: OrganizationDetail }. The emulator
 * fills the Detail properties it knows (OrganizationId, FriendlyName, State); Endpoints and the hosting
 * properties are left out, as the engine does not know the URL it is served at.
 */
async function retrieveCurrentOrganization({
  engine,
  body,
  name,
  context,
}: ActionRequest): Promise<{ Detail: Record<string, unknown> }> {
  const access = body.AccessType;
  if (typeof access !== 'string' || !ENDPOINT_ACCESS_TYPES.has(access))
    throw new BadRequestError(
      `${name}: AccessType ${JSON.stringify(access ?? null)} is not an EndpointAccessType member (Default, Internet, Intranet).`,
    );
  const { OrganizationId } = engine.whoAmI(context);
  let friendlyName: unknown = null;
  // A bare test org may have no organization row (or table); the id still answers.
  try {
    const row = await engine.retrieve(organization.entitySetName, OrganizationId, {
      select: [organization.columns.name],
      context,
    });
    friendlyName = row[organization.columns.name] ?? null;
  } catch (error) {
    if (!(error instanceof RecordNotFoundError) && !(error instanceof UnknownTableError)) throw error;
  }
  return { Detail: { OrganizationId, FriendlyName: friendlyName, State: 'Enabled' } };
}
