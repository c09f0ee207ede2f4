/**
 * `Xrm.Utility.getResourceString` over the RESX web resources a page has loaded. Dataverse picks the
 * file for the user's language and falls back to the organization's base language when there is none
 * ("getResourceString (Client API reference)"); a resource that is not a dependency of the calling
 * library is not loaded at all, which the harness reports instead of returning nothing.
 */

/** RESX strings by web resource name without LCID and extension (`idr_/opportunity/strings`), then by LCID. */
export type LoadedResources = Readonly<
  Record<string, Readonly<Record<number, Readonly<Record<string, string>>>>>
>;

/** A script asked for a string of a RESX web resource the page has not loaded, or for a key it lacks. */
export class ResourceStringNotFoundError extends Error {
  constructor(
    readonly webResourceName: string,
    readonly key: string,
    loaded: readonly string[],
  ) {
    super(
      loaded.includes(webResourceName)
        ? `The RESX web resource '${webResourceName}' has no string '${key}': add it to the catalog the RESX files are written from.`
        : `No RESX web resource '${webResourceName}' is loaded (loaded: ${loaded.join(', ') || 'none'}). ` +
            `List '${webResourceName}.<LCID>.resx' as a dependency of the calling library, or pass it to createForm({ resources }).`,
    );
    this.name = 'ResourceStringNotFoundError';
  }
}

/** The getResourceString of a page for a user of `userLcid` in an organization whose base language is `baseLcid`. */
export function resourceStringReader(
  resources: LoadedResources,
  userLcid: number,
  baseLcid = 1033,
): (webResourceName: string, key: string) => string {
  return (webResourceName, key) => {
    const byLanguage = resources[webResourceName] as LoadedResources[string] | undefined;
    const value = byLanguage?.[userLcid]?.[key] ?? byLanguage?.[baseLcid]?.[key];
    if (value === undefined)
      throw new ResourceStringNotFoundError(webResourceName, key, Object.keys(resources));
    return value;
  };
}
