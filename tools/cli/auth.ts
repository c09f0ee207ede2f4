/**
 * `ideario auth create|list|select|clear`, as `pac auth` does: the environments every command connects
 * to by default. `create` records a real environment and how to sign in to it (never a secret);
 * `ideario start` and `ideario emulator` record the local one themselves.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { runCommand } from './command';
import { resolveEnvironment, type ConnectionFlags, CONNECTION_ENVIRONMENT_VARIABLES } from './connection';
import { DEFAULT_AUTH_DIR, ProfileStore, type EnvironmentProfile } from './profiles';

export interface AuthDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly clock: () => Date;
  readonly authDir?: string;
}

/** One line per environment; the emulator's token is shown as recorded, never its value. */
export function describeProfile(profile: EnvironmentProfile, selected: boolean): string {
  const who = [
    profile.tenantId ? `tenant ${profile.tenantId}` : undefined,
    profile.clientId ? `client ${profile.clientId}` : undefined,
    profile.certificatePath ? `certificate ${profile.certificatePath}` : undefined,
    profile.signIn === 'local' ? (profile.token ? 'token recorded' : 'no token') : undefined,
  ].filter((part): part is string => part !== undefined);
  return `${selected ? '*' : ' '} ${profile.name}  ${profile.url}  ${profile.signIn}${who.length ? ` (${who.join(', ')})` : ''}`;
}

export function runAuthList(deps: AuthDeps): Promise<number> {
  return runCommand('auth list', deps.logger, () => {
    const { profiles, selected } = new ProfileStore(deps.authDir ?? DEFAULT_AUTH_DIR).list();
    if (profiles.length === 0)
      deps.print('No environment recorded: run `npm start`, or `ideario auth create --url …`.');
    for (const profile of profiles) deps.print(describeProfile(profile, profile.name === selected));
    return Promise.resolve(0);
  });
}

export function runAuthSelect(nameOrUrl: string, deps: AuthDeps): Promise<number> {
  return runCommand('auth select', deps.logger, () => {
    const profile = new ProfileStore(deps.authDir ?? DEFAULT_AUTH_DIR).select(nameOrUrl);
    deps.print(`Selected ${profile.name} (${profile.url}).`);
    return Promise.resolve(0);
  });
}

export function runAuthClear(nameOrUrl: string | undefined, deps: AuthDeps): Promise<number> {
  return runCommand('auth clear', deps.logger, () => {
    const cleared = new ProfileStore(deps.authDir ?? DEFAULT_AUTH_DIR).clear(nameOrUrl);
    deps.print(cleared.length ? `Forgot ${cleared.join(', ')}.` : 'No environment was recorded.');
    return Promise.resolve(0);
  });
}

export interface AuthCreateOptions extends ConnectionFlags {
  url: string;
  name?: string;
}

export function runAuthCreate(options: AuthCreateOptions, deps: AuthDeps): Promise<number> {
  return runCommand('auth create', deps.logger, () => {
    const resolved = resolveEnvironment(options, deps);
    const profile: EnvironmentProfile = { ...resolved, name: options.name?.trim() || resolved.name };
    new ProfileStore(deps.authDir ?? DEFAULT_AUTH_DIR).save(profile);
    deps.print(`Recorded and selected ${describeProfile(profile, true).slice(2)}.`);
    if (profile.signIn === 'client-secret')
      deps.print('The client secret is read from IDEARIO_CLIENT_SECRET at each run; it is not stored.');
    return Promise.resolve(0);
  });
}

export function registerAuth(program: Command, logger: Logger): void {
  const deps = (): AuthDeps => ({
    env: process.env,
    logger,
    print: (line) => console.log(line),
    clock: () => new Date(),
  });
  const auth = program
    .command('auth')
    .description('The environments ideario commands connect to (as pac auth): create, list, select, clear');
  auth
    .command('create')
    .description('Record a Dataverse environment and how to sign in to it, and select it')
    .requiredOption('--url <url>', 'environment URL, e.g. https://contoso.crm4.dynamics.com')
    .option('--name <name>', 'a short name for it (default: its host name)')
    .option('--tenant <id>', 'Entra tenant id (default: IDEARIO_TENANT_ID at each run)')
    .option('--client-id <id>', 'application (client) id (default: IDEARIO_CLIENT_ID at each run)')
    .option(
      '--certificate <pem>',
      `certificate + private key PEM file (default: ${CONNECTION_ENVIRONMENT_VARIABLES.certificatePath})`,
    )
    .option('--device-code', 'sign in as a person with a device code')
    .action(async (opts: AuthCreateOptions) => {
      process.exitCode = await runAuthCreate(opts, deps());
    });
  auth
    .command('list')
    .description('List the recorded environments; * marks the selected one')
    .action(async () => {
      process.exitCode = await runAuthList(deps());
    });
  auth
    .command('select')
    .argument('<name-or-url>', 'an environment from `ideario auth list`')
    .description('Select the environment commands use by default')
    .action(async (name: string) => {
      process.exitCode = await runAuthSelect(name, deps());
    });
  auth
    .command('clear')
    .argument('[name-or-url]', 'forget only this one')
    .description('Forget the recorded environments (or one)')
    .action(async (name: string | undefined) => {
      process.exitCode = await runAuthClear(name, deps());
    });
}
