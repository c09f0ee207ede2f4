/**
 * Readers for the raw values PCF hands over (dataset getValue, webAPI entities): numbers may come as
 * strings, dates as Date or ISO text, lookups as an EntityReference or a one-element array of them.
 */
export interface Reference {
  readonly id: string;
  readonly name: string;
  readonly entityType: string;
}

export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function asTime(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'string' && value !== '') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

export function asBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

function normaliseGuid(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

export function asReference(value: unknown): Reference | null {
  const single: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof single !== 'object' || single === null) return null;
  const record = single as { id?: unknown; name?: unknown; etn?: unknown; entityType?: unknown };
  const rawId =
    typeof record.id === 'object' && record.id !== null ? (record.id as { guid?: unknown }).guid : record.id;
  if (typeof rawId !== 'string') return null;
  return {
    id: normaliseGuid(rawId),
    name: typeof record.name === 'string' ? record.name : '',
    entityType:
      typeof record.etn === 'string'
        ? record.etn
        : typeof record.entityType === 'string'
          ? record.entityType
          : '',
  };
}

export function asGuid(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? normaliseGuid(value) : null;
}
