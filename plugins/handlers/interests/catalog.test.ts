import { compileRules } from '../../../domain/interest';
import { CatalogCache, type InterestCatalog } from './catalog';

function catalogNamed(code: string): InterestCatalog {
  const concept = {
    id: code,
    code,
    name: code,
    halfLifeDays: 90,
    enterThreshold: 10,
    exitThreshold: 5,
    landmark: null,
    listId: null,
  };
  return { concepts: [concept], conceptById: new Map([[code, concept]]), rules: compileRules([]) };
}

function loader(...codes: string[]) {
  let calls = 0;
  const load = () => {
    const code = codes[Math.min(calls, codes.length - 1)] ?? 'none';
    calls++;
    return Promise.resolve(catalogNamed(code));
  };
  return { load, calls: () => calls };
}

const codeOf = async (catalog: Promise<InterestCatalog>) => (await catalog).concepts[0]?.code;

describe('CatalogCache', () => {
  it('serves the same rules within the TTL and reloads after it', async () => {
    const cache = new CatalogCache(60_000);
    const source = loader('first', 'second');
    expect(await codeOf(cache.get('org', 0, source.load))).toBe('first');
    expect(await codeOf(cache.get('org', 59_999, source.load))).toBe('first');
    expect(await codeOf(cache.get('org', 60_000, source.load))).toBe('second');
    expect(source.calls()).toBe(2);
  });

  it('reloads at once after a rule change bumps the version, for that organisation only', async () => {
    const cache = new CatalogCache(60_000);
    const a = loader('a1', 'a2');
    const b = loader('b1', 'b2');
    await cache.get('org-a', 0, a.load);
    await cache.get('org-b', 0, b.load);
    cache.invalidate('org-a');
    expect(await codeOf(cache.get('org-a', 1, a.load))).toBe('a2');
    expect(await codeOf(cache.get('org-b', 1, b.load))).toBe('b1');
  });

  it('shares one load between events that miss the cache together', async () => {
    const cache = new CatalogCache(60_000);
    const source = loader('only');
    await Promise.all([
      cache.get('org', 0, source.load),
      cache.get('org', 0, source.load),
      cache.get('org', 0, source.load),
    ]);
    expect(source.calls()).toBe(1);
  });

  it('does not keep a failed load, so the next event tries again', async () => {
    const cache = new CatalogCache(60_000);
    await expect(cache.get('org', 0, () => Promise.reject(new Error('Dataverse is down')))).rejects.toThrow(
      'Dataverse is down',
    );
    expect(await codeOf(cache.get('org', 1, loader('recovered').load))).toBe('recovered');
  });

  it('reloads when the clock goes backwards rather than trusting an entry from the future', async () => {
    const cache = new CatalogCache(60_000);
    await cache.get('org', 10_000, loader('later').load);
    expect(await codeOf(cache.get('org', 5_000, loader('earlier').load))).toBe('earlier');
  });
});
