/**
 * The environments the CLI knows, as `pac auth` keeps them: `.ideario/auth.json` lists each environment's
 * URL and how to sign in to it, and which one is selected. It never holds a secret of a real environment
 * (client secrets come from IDEARIO_CLIENT_SECRET, certificates stay in their file); the only token in it
 * is the local emulator's, which `ideario start` / `ideario emulator` chose themselves.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserFacingError } from './command';

/** `.ideario` in the working folder; IDEARIO_AUTH_DIR moves it (tests keep a developer's selection intact). */
export const DEFAULT_AUTH_DIR = process.env.IDEARIO_AUTH_DIR?.trim() || '.ideario';
const FILE = 'auth.json';

export type SignIn = 'local' | 'client-secret' | 'certificate' | 'device-code';
export const SIGN_INS: readonly SignIn[] = ['local', 'client-secret', 'certificate', 'device-code'];

export interface EnvironmentProfile {
  readonly name: string;
  /** The environment's origin, e.g. `https://contoso.crm4.dynamics.com`. */
  readonly url: string;
  readonly signIn: SignIn;
  /** Only for `local`: the bearer token the emulator was started with (none: it takes any). */
  readonly token?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  /** Only for `certificate`: the PEM file holding the certificate and its private key. */
  readonly certificatePath?: string;
  /** Only for `local` after `npm start`: the key its webhook host verifies, for `ideario doctor`. */
  readonly webhookKey?: string;
}

interface ProfileFile {
  selected?: string;
  profiles: EnvironmentProfile[];
}

/** `.ideario/auth.json` cannot be read as the CLI wrote it. */
export class ProfileFileError extends UserFacingError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} cannot be read (${reason}); delete it or run \`ideario auth clear\`, then sign in again.`);
    this.name = 'ProfileFileError';
  }
}

/** `auth select` / `auth clear` named an environment the CLI does not know. */
export class UnknownEnvironmentError extends UserFacingError {
  constructor(
    readonly wanted: string,
    known: readonly string[],
  ) {
    super(
      `No environment named '${wanted}'. Known: ${known.length > 0 ? known.join(', ') : 'none'} (\`ideario auth list\`).`,
    );
    this.name = 'UnknownEnvironmentError';
  }
}

function isProfile(value: unknown): value is EnvironmentProfile {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.name === 'string' &&
    typeof p.url === 'string' &&
    SIGN_INS.includes(p.signIn as SignIn) &&
    ['token', 'tenantId', 'clientId', 'certificatePath', 'webhookKey'].every(
      (k) => p[k] === undefined || typeof p[k] === 'string',
    )
  );
}

export class ProfileStore {
  readonly file: string;

  constructor(readonly dir: string = DEFAULT_AUTH_DIR) {
    this.file = path.join(dir, FILE);
  }

  private read(): ProfileFile {
    if (!existsSync(this.file)) return { profiles: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new ProfileFileError(this.file, error instanceof Error ? error.message : String(error));
    }
    const raw = parsed as { selected?: unknown; profiles?: unknown };
    if (!Array.isArray(raw.profiles) || !raw.profiles.every(isProfile))
      throw new ProfileFileError(this.file, 'not a list of environments');
    return {
      selected: typeof raw.selected === 'string' ? raw.selected : undefined,
      profiles: raw.profiles,
    };
  }

  private write(content: ProfileFile): void {
    mkdirSync(this.dir, { recursive: true });
    // Written whole and renamed, owner-only: the emulator's token is in it.
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  list(): { profiles: readonly EnvironmentProfile[]; selected?: string } {
    return this.read();
  }

  selected(): EnvironmentProfile | undefined {
    const content = this.read();
    return content.profiles.find((p) => p.name === content.selected);
  }

  /** By name, or by URL (origin). */
  find(nameOrUrl: string): EnvironmentProfile | undefined {
    const { profiles } = this.read();
    let origin: string | undefined;
    try {
      origin = new URL(nameOrUrl).origin;
    } catch {
      origin = undefined;
    }
    return profiles.find((p) => p.name === nameOrUrl || (origin !== undefined && p.url === origin));
  }

  /** Adds or replaces (same name) the environment and selects it, as `pac auth create` does. */
  save(profile: EnvironmentProfile): void {
    const content = this.read();
    const profiles = content.profiles.filter((p) => p.name !== profile.name);
    this.write({ selected: profile.name, profiles: [...profiles, profile] });
  }

  select(nameOrUrl: string): EnvironmentProfile {
    const found = this.find(nameOrUrl);
    const content = this.read();
    if (!found)
      throw new UnknownEnvironmentError(
        nameOrUrl,
        content.profiles.map((p) => p.name),
      );
    this.write({ ...content, selected: found.name });
    return found;
  }

  /** Forgets one environment, or all of them; returns the names forgotten. */
  clear(nameOrUrl?: string): string[] {
    const content = this.read();
    if (nameOrUrl === undefined) {
      rmSync(this.file, { force: true });
      return content.profiles.map((p) => p.name);
    }
    const found = this.find(nameOrUrl);
    if (!found)
      throw new UnknownEnvironmentError(
        nameOrUrl,
        content.profiles.map((p) => p.name),
      );
    this.write({
      selected: content.selected === found.name ? undefined : content.selected,
      profiles: content.profiles.filter((p) => p.name !== found.name),
    });
    return [found.name];
  }
}

export const LOCAL_ENVIRONMENT_NAME = 'local';

/** What `ideario start` and `ideario emulator` call once the emulator listens. */
export function recordLocalEnvironment(
  dir: string,
  url: string,
  token: string | undefined,
  webhookKey?: string,
): EnvironmentProfile {
  const profile: EnvironmentProfile = {
    name: LOCAL_ENVIRONMENT_NAME,
    url: new URL(url).origin,
    signIn: 'local',
    ...(token ? { token } : {}),
    ...(webhookKey ? { webhookKey } : {}),
  };
  new ProfileStore(dir).save(profile);
  return profile;
}
