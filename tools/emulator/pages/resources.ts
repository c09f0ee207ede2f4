/**
 * The String (RESX) web resources of the solutions' form libraries, as the emulator's pages use them:
 * served under `/WebResources/<name>.<LCID>.resx` like any web resource, and handed to the form page
 * for `Xrm.Utility.getResourceString`. Dataverse loads a library's RESX dependencies with it and
 * answers in the user's language, else the organization's base language ("getResourceString (Client
 * API reference)", "Web resource dependencies"); the page gets those two languages only.
 */
import type { LanguageCode } from '../../solution/model';
import type { LoadedResources } from '../../harness/resources';
import { loadedResources, resxWebResources, WEB_RESOURCES } from '../../../webresources/build';

/** The emulator organization's base language. */
const BASE_LCID = 1033;

/** The RESX text of a web resource by its full name (`idr_/opportunity/strings.3082.resx`), or undefined. */
export function resxWebResource(name: string): string | undefined {
  for (const item of WEB_RESOURCES) {
    const found = resxWebResources(item).find((resx) => resx.webResourceName === name);
    if (found) return found.text;
  }
  return undefined;
}

/** The strings a form page that loads `libraries` can read, in the page's language and the base one. */
export function pageResources(libraries: readonly string[], lang: LanguageCode): LoadedResources {
  const loaded = loadedResources(WEB_RESOURCES.filter((w) => libraries.includes(w.webResourceName)));
  const page: Record<string, Record<number, Record<string, string>>> = {};
  for (const [resource, byLanguage] of Object.entries(loaded)) {
    page[resource] = {};
    for (const lcid of new Set([lang, BASE_LCID])) {
      if (byLanguage[lcid]) page[resource][lcid] = byLanguage[lcid];
    }
  }
  return page;
}
