/**
 * The engine's version: plugins name the engine versions they work with
 * (`plugin.json` `engine`, a semver range), checked against this at load.
 */
export const ENGINE_VERSION = "1.0.0";
