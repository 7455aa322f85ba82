/**
 * Who calls, and which customers are theirs. The engine checks the token and
 * hands over the caller's id and role (requestActor); the plugin decides what
 * that caller syncs:
 *
 * - admins and success managers read every customer (their role reads all of
 *   the engine's data anyway);
 * - everyone else (success analysts, and tokens made for one device or one
 *   supplier's app) reads the customers an admin assigned to them;
 * - writing (push) needs the role to write signals (admins), or the customer
 *   to be assigned: an assignment is the admin's explicit grant to sync that
 *   customer, both ways.
 */
import { isRole, type Role, roleAllows } from "../../engine/access/mod.ts";
import { EngineError } from "../../engine/errors.ts";
import { requestActor } from "../../engine/plugins/mod.ts";

/** A caller of the plugin's routes. */
export interface Caller {
  /** What assignments are kept under: the token part of the id, `token:12`. */
  key: string;
  /** The id as the engine gave it (`token:12 (field-ipad)`), for the audit log. */
  id: string;
  role: Role;
}

/** A request's caller and its scope. */
export interface Requester {
  caller: Caller;
  scope: Scope;
}

/** Which customers a caller syncs. */
export interface Scope {
  /** Reads every customer, whatever is assigned. */
  readsAll: boolean;
  /** Writes every customer, whatever is assigned. */
  writesAll: boolean;
  /** The customers assigned to the caller. */
  assigned: ReadonlySet<string>;
  /** Bumped by every change of the assignments: cursors remember it, to send what changed. */
  revision: number;
}

const READS_ALL: readonly Role[] = ["admin", "success-manager"];

/**
 * The key of an actor id: a token's id without the name in brackets (which
 * is for people), so an assignment stays with its token.
 */
export function callerKey(actorId: string): string {
  return actorId.replace(/\s*\(.*\)$/, "");
}

/** The caller the engine checked; UNAUTHENTICATED when the request did not come through it. */
export function callerOf(request: Request): Caller {
  const actor = requestActor(request);
  if (!actor) {
    throw new EngineError(
      "UNAUTHENTICATED",
      "The offline routes need a caller: call them through the engine with an API token " +
        "(Authorization: Bearer <token>)",
    );
  }
  if (!isRole(actor.role)) {
    throw new EngineError(
      "FORBIDDEN",
      `The role "${actor.role}" is not one the offline plugin knows; use a token with the role ` +
        "success-analyst, success-manager or admin",
    );
  }
  return { key: callerKey(actor.id), id: actor.id, role: actor.role };
}

/** The scope of `caller` given its assignments. */
export function scopeOf(
  caller: Caller,
  assignments: { customerIds: readonly string[]; revision: number },
): Scope {
  return {
    readsAll: READS_ALL.includes(caller.role),
    writesAll: roleAllows(caller.role, "write:signals"),
    assigned: new Set(assignments.customerIds),
    revision: assignments.revision,
  };
}

/** Whether the caller reads `customerId`. */
export function reads(scope: Scope, customerId: string): boolean {
  return scope.readsAll || scope.assigned.has(customerId);
}

/** Whether the caller may push changes for `customerId`. */
export function writes(scope: Scope, customerId: string): boolean {
  return scope.writesAll || scope.assigned.has(customerId);
}

/** Throws FORBIDDEN unless the caller administers plugins (admins). */
export function assertAdministers(caller: Caller): void {
  if (roleAllows(caller.role, "manage:plugins")) return;
  throw new EngineError(
    "FORBIDDEN",
    `Assigning customers to callers needs the admin role (permission manage:plugins); ` +
      `you are ${caller.role}`,
  );
}
