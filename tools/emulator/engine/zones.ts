/**
 * Wall-clock times in a user's IANA time zone: how query bounds and formatted values see the user's days
 * and hours (Dataverse judges both in the calling user's time zone, usersettings.timezonecode).
 */
// Building an Intl.DateTimeFormat costs far more than formatting with it: one per zone, as dateonly.ts does.
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** The offset in ms of `timeZone` from UTC at `instant` (Madrid in winter: +3,600,000). */
function zoneOffset(instant: Date, timeZone: string): number {
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The user's wall-clock time written as if it were UTC, so UTC day arithmetic gives the user's days. */
export function toWall(instant: Date, timeZone: string | undefined): Date {
  return timeZone ? new Date(instant.getTime() + zoneOffset(instant, timeZone)) : instant;
}

/** The instant a wall-clock time (written as UTC) names in `timeZone`. */
export function fromWall(wall: Date, timeZone: string | undefined): Date {
  if (!timeZone) return wall;
  const guess = new Date(wall.getTime() - zoneOffset(wall, timeZone));
  return new Date(wall.getTime() - zoneOffset(guess, timeZone));
}
