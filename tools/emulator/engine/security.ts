/**
 * Security roles as Dataverse applies them to a Web API call: the caller (the token's user, or the user
 * named by `MSCRMCallerID`, "Impersonate another user using the Web API") needs the table privilege
 * (`prvRead<table>`, `prvWrite<table>`…) from one of its roles. Roles come from the solutions'
 * `Roles/*.xml`; the emulator's own user is the System Administrator and holds every privilege.
 * Privilege depth (Basic/Local/Deep/Global) is not modelled: any level grants the privilege, which is
 * what Global does and what Ideario's roles declare.
 */
import { DataverseError } from '../../../dataverse/errors';
import type { MetadataModel } from '../../solution/model';
import { ErrorCodes } from './errors';

export type PrivilegeVerb =
  'Create' | 'Read' | 'Write' | 'Delete' | 'Append' | 'AppendTo' | 'Assign' | 'Share';

/** Dataverse's built-in role with every privilege. */
export const SYSTEM_ADMINISTRATOR = 'System Administrator';

/** The caller lacks the privilege: worded as Dataverse words it, with the role that would grant it. */
export class PrivilegeDeniedError extends DataverseError {
  constructor(
    readonly userId: string,
    readonly privilege: string,
    readonly table: string,
    readonly roles: readonly string[],
  ) {
    super(
      `Principal user (Id=${userId}, type=8, roleCount=${roles.length}) is missing ${privilege} privilege ` +
        `for entity '${table}'. Roles held: ${roles.length > 0 ? roles.join(', ') : 'none'}. ` +
        'Consider adding the missed privilege to one of the principal (user/team) roles.',
      403,
      ErrorCodes.PrivilegeDenied,
    );
    this.name = 'PrivilegeDeniedError';
  }
}

/** `MSCRMCallerID` names no systemuser: Dataverse looks the user up and answers that it does not exist. */
export class UnknownCallerError extends DataverseError {
  constructor(readonly userId: string) {
    super(`systemuser With Id = ${userId} Does Not Exist`, 404, ErrorCodes.DoesNotExist);
    this.name = 'UnknownCallerError';
  }
}

/**
 * Tables whose privileges are not named after the table: savedquery is "View" (prvReadQuery) and
 * systemuser "User" (prvReadUser), as the security role editor lists them ("Security role UI to
 * privilege mapping", Dynamics CRM developer guide; "Create or edit a security role", Power Platform admin).
 */
const PRIVILEGE_NAMES: Readonly<Record<string, string>> = { savedquery: 'Query', systemuser: 'User' };

/** Role name → the privileges it grants (lower-case names: Dataverse compares them without case). */
export class RoleCatalog {
  private readonly roles = new Map<string, Set<string>>();

  constructor(model: Pick<MetadataModel, 'solutions'>) {
    for (const solution of model.solutions) {
      for (const role of solution.roles) {
        const privileges = this.roles.get(role.name) ?? new Set<string>();
        for (const privilege of role.privileges) privileges.add(privilege.name.toLowerCase());
        this.roles.set(role.name, privileges);
      }
    }
  }

  names(): string[] {
    return [SYSTEM_ADMINISTRATOR, ...this.roles.keys()];
  }

  has(role: string): boolean {
    return role === SYSTEM_ADMINISTRATOR || this.roles.has(role);
  }

  /** `prv<Verb><table>`: standard tables use their schema name (prvReadContact), custom ones the logical name. */
  static privilegeName(verb: PrivilegeVerb, table: string): string {
    return `prv${verb}${PRIVILEGE_NAMES[table.toLowerCase()] ?? table}`;
  }

  /** Whether one of `roles` grants `verb` on `table` (a logical name). */
  grants(roles: readonly string[], verb: PrivilegeVerb, table: string): boolean {
    if (roles.includes(SYSTEM_ADMINISTRATOR)) return true;
    const wanted = RoleCatalog.privilegeName(verb, table).toLowerCase();
    return roles.some((role) => this.roles.get(role)?.has(wanted));
  }

  /** Throws PrivilegeDeniedError unless one of `roles` grants `verb` on `table` (a logical name). */
  check(userId: string, roles: readonly string[], verb: PrivilegeVerb, table: string): void {
    if (this.grants(roles, verb, table)) return;
    throw new PrivilegeDeniedError(userId, RoleCatalog.privilegeName(verb, table), table, roles);
  }
}
