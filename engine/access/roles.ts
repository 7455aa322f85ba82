/**
 * Roles and permissions (names from the seed). A role grants a list of
 * permissions; `read:all`, `write:all` and `delete:all` stand for every
 * permission of their verb, so a permission added later is covered by them
 * without editing the roles. Administration (`manage:*`) is granted by name.
 */

/** The roles a token can have. */
export const roles = ["success-analyst", "success-manager", "admin"] as const;

/** A role, e.g. `"success-manager"`. */
export type Role = typeof roles[number];

/** Every permission a route can require, a closed list. */
export const permissions = [
  // Customers, health scores, milestones, cycles, the health model, metrics.
  "read:metrics",
  // ROI and success reports.
  "read:reports",
  // Audit log.
  "read:audit",
  "read:rules",
  // Ingesting usage events and customers.
  "write:signals",
  // Running evaluation cycles and acting on interventions.
  "write:interventions",
  // Editing and publishing rules and templates.
  "write:rules",
  "write:templates",
  // Acknowledging alerts and silencing alert rules (docs/alerts.md).
  "write:alerts",
  // Administration: only admins, whatever `*:all` they hold.
  "manage:tokens",
  // Console users: creating them, changing their role, disabling, unlocking.
  "manage:users",
  "manage:plugins",
  "manage:models",
  "manage:privacy",
  "manage:settings",
  // Creating and changing alert rules.
  "manage:alerts",
] as const;

/** A permission, e.g. `"read:metrics"`. */
export type Permission = typeof permissions[number];

/** What each role is granted; `*:all` covers every permission of that verb. */
export const rolePermissions: Record<Role, readonly string[]> = {
  "success-analyst": ["read:metrics", "read:reports"],
  "success-manager": [
    "read:all",
    "write:interventions",
    "write:rules",
    "write:templates",
    "write:alerts",
  ],
  admin: [
    "read:all",
    "write:all",
    "delete:all",
    "manage:tokens",
    "manage:users",
    "manage:plugins",
    "manage:models",
    "manage:privacy",
    "manage:settings",
    "manage:alerts",
  ],
};

/** Whether `role` may do what `permission` guards. */
export function roleAllows(role: Role, permission: Permission): boolean {
  const granted = rolePermissions[role];
  const verb = permission.slice(0, permission.indexOf(":"));
  return granted.includes(permission) || granted.includes(`${verb}:all`);
}

/** Whether `value` names a role. */
export function isRole(value: unknown): value is Role {
  return (roles as readonly unknown[]).includes(value);
}
