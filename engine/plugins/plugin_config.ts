/**
 * A plugin's own configuration, checked against the JSON Schema in its
 * manifest's `config` (Ajv, draft 2020-12), with the schema's defaults
 * filled in. Checked when the manifest is loaded (the schema itself), when
 * the plugin starts and when an admin changes it through the API.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { EngineError, type FieldIssue } from "../errors.ts";
import type { PluginManifest } from "./manifest.ts";

const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: false });
const compiled = new WeakMap<PluginManifest, ValidateFunction>();

/**
 * The configuration with the schema's defaults, or PLUGIN_CONFIG_INVALID
 * naming each bad field (`config.batchSize`). A plugin without a schema takes
 * only the empty object.
 */
export function checkPluginConfig(
  manifest: PluginManifest,
  config: unknown,
): Record<string, unknown> {
  const validate = validatorOf(manifest);
  const copy = structuredClone(config ?? {});
  if (validate(copy)) return copy as Record<string, unknown>;
  const issues: FieldIssue[] = (validate.errors ?? []).map((error) => {
    const extra = error.params && "additionalProperty" in error.params
      ? `.${String(error.params.additionalProperty)}`
      : "";
    const path = `config${error.instancePath.replaceAll("/", ".")}${extra}`;
    const message = extra ? "is not a setting of this plugin" : error.message ?? "is not valid";
    return { path, message };
  });
  throw new EngineError(
    "PLUGIN_CONFIG_INVALID",
    `The configuration of plugin "${manifest.name}" does not fit its schema (plugin.json ` +
      `"config"): ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
    { issues },
  );
}

function validatorOf(manifest: PluginManifest): ValidateFunction {
  let validate = compiled.get(manifest);
  if (!validate) {
    const schema = manifest.config ?? { type: "object", additionalProperties: false };
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new EngineError(
        "PLUGIN_INVALID",
        `Cannot register plugin "${manifest.name}": its plugin.json "config" is not a valid ` +
          `JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    compiled.set(manifest, validate);
  }
  return validate;
}
