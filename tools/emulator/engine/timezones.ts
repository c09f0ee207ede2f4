import { UnknownTimeZoneError } from './errors';

/**
 * Dataverse stores a user's time zone as `usersettings.timezonecode`, a Windows time zone index
 * ("Microsoft Time Zone Index Values", learn.microsoft.com/previous-versions/windows/embedded/ms912391;
 * the same codes as the `timezonedefinition` table). The emulator computes calendars with IANA
 * names, so each code it knows maps to the zone CLDR's windowsZones.xml gives for that Windows zone
 * (territory 001). Add a row here when a user needs another zone.
 */
export const TIME_ZONE_CODES: Readonly<Record<number, { windows: string; iana: string }>> = {
  2: { windows: 'Hawaiian Standard Time', iana: 'Pacific/Honolulu' },
  4: { windows: 'Pacific Standard Time', iana: 'America/Los_Angeles' },
  10: { windows: 'Mountain Standard Time', iana: 'America/Denver' },
  20: { windows: 'Central Standard Time', iana: 'America/Chicago' },
  35: { windows: 'Eastern Standard Time', iana: 'America/New_York' },
  85: { windows: 'GMT Standard Time', iana: 'Europe/London' },
  92: { windows: 'UTC', iana: 'UTC' },
  105: { windows: 'Romance Standard Time', iana: 'Europe/Madrid' },
  110: { windows: 'W. Europe Standard Time', iana: 'Europe/Berlin' },
  190: { windows: 'India Standard Time', iana: 'Asia/Kolkata' },
  235: { windows: 'Tokyo Standard Time', iana: 'Asia/Tokyo' },
  255: { windows: 'AUS Eastern Standard Time', iana: 'Australia/Sydney' },
};

/** `zone` when the runtime knows it as an IANA time zone; otherwise an UnknownTimeZoneError. */
export function requireTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new UnknownTimeZoneError(zone);
  }
  return zone;
}
