/**
 * What admins set for each plugin (plugin_settings): enabled or not, and its
 * configuration. A change is one transaction with its audit entry; the
 * table's trigger notifies every engine, which applies it without a restart.
 */
import { appendAudit } from "../audit/mod.ts";
import type { Db, Queryable } from "../db/mod.ts";
import { EngineError } from "../errors.ts";

/** A plugin's stored settings. */
export interface StoredPluginSettings {
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  /** 0 for a plugin nobody changed (its defaults), then 1, 2, … */
  version: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** Who changes a plugin's settings, when and why. */
export interface PluginChangeBy {
  actor: string;
  at: Date;
  reason: string | null;
  requestId: string | null;
}

/** The stored settings of every plugin that has any, by name. */
export async function readPluginSettings(
  db: Queryable,
): Promise<Map<string, StoredPluginSettings>> {
  const rows = await db.query<{
    name: string;
    enabled: boolean;
    config: Record<string, unknown>;
    version: number;
    updated_at: Date;
    updated_by: string;
  }>("select name, enabled, config, version, updated_at, updated_by from plugin_settings");
  return new Map(rows.map((r) => [r.name, {
    name: r.name,
    enabled: r.enabled,
    config: r.config,
    version: r.version,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  }]));
}

/**
 * Writes `next` for plugin `name` if its version is still `expectedVersion`
 * (else PRECONDITION_FAILED: someone changed it meanwhile), with an audit
 * entry holding before and after (`redact` hides secret fields in both).
 */
export async function writePluginSettings(
  db: Db,
  change: {
    name: string;
    before: StoredPluginSettings;
    next: { enabled: boolean; config: Record<string, unknown> };
    expectedVersion: number;
    redact: (config: Record<string, unknown>) => Record<string, unknown>;
  },
  by: PluginChangeBy,
): Promise<StoredPluginSettings> {
  const { name, before, next } = change;
  return await db.transaction(async (tx) => {
    const rows = await tx.query<{ version: number }>(
      `insert into plugin_settings as s (name, enabled, config, version, updated_at, updated_by)
       values ($1, $2, $3, 1, $4, $5)
       on conflict (name) do update set enabled = excluded.enabled, config = excluded.config,
         version = s.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
       where s.version = $6
       returning version`,
      [name, next.enabled, next.config, by.at.toISOString(), by.actor, change.expectedVersion],
    );
    if (rows.length === 0) {
      throw new EngineError(
        "ETAG_MISMATCH",
        `Plugin "${name}" was changed by someone else meanwhile; read it again and retry`,
      );
    }
    const action = before.enabled !== next.enabled
      ? (next.enabled ? "plugin.enabled" : "plugin.disabled")
      : "plugin.configured";
    await appendAudit(tx, {
      at: by.at,
      actor: by.actor,
      action,
      subjectType: "plugin",
      subjectId: name,
      reason: by.reason,
      requestId: by.requestId,
      before: { enabled: before.enabled, config: change.redact(before.config) },
      after: { enabled: next.enabled, config: change.redact(next.config) },
    });
    return {
      name,
      ...next,
      version: rows[0]!.version,
      updatedAt: by.at,
      updatedBy: by.actor,
    };
  });
}
