/** Reading a plugin's settings: its slice of the configuration, checked by its own schema. */
import type { z } from "zod";
import { EngineError } from "../errors.ts";
import { zodIssues } from "../validation.ts";

/**
 * Parses the configuration variables `schema` names, or throws CONFIG_INVALID
 * naming the plugin and each bad variable. Messages come from the schema and
 * must not repeat values: several settings are secrets.
 */
export function parsePluginSettings<S extends z.ZodType>(
  plugin: string,
  schema: S,
  config: Readonly<Record<string, unknown>>,
): z.output<S> {
  const result = schema.safeParse(config);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  throw new EngineError(
    "CONFIG_INVALID",
    `Invalid configuration for the ${plugin} plugin: ${summary}`,
    { issues },
  );
}
