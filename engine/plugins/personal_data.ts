/**
 * The plugins' side of privacy requests: every plugin whose manifest declares
 * `capabilities.personalData` exports and erases a customer through its hooks.
 * One that is stopped or failed cannot answer, so the request fails and says
 * which plugin to start: nothing it holds is left out or left behind.
 */
import { EngineError } from "../errors.ts";
import type { PersonalDataHolders } from "../privacy/mod.ts";
import type { PluginStatus } from "./plugin_entry.ts";
import type { RunningPlugin } from "./running.ts";

/** What this needs of the plugin host. */
export interface PluginDirectory {
  list(): PluginStatus[];
  running(name: string): RunningPlugin | undefined;
}

/** The plugins of `host` as the holders of personal data privacy requests reach. */
export function pluginPersonalData(host: PluginDirectory): PersonalDataHolders {
  const holders = () =>
    host.list().filter((p) => p.manifest?.capabilities.personalData).map((p) => {
      const running = host.running(p.name);
      if (!running) {
        throw new EngineError(
          "PLUGIN_UNAVAILABLE",
          `Plugin "${p.name}" keeps data about customers but is ${p.state}` +
            `${p.error ? ` (${p.error.message})` : ""}; start it (PUT /api/v1/plugins/${p.name} ` +
            `with {"enabled": true}) and ask again`,
        );
      }
      return running;
    });
  return {
    async exportCustomer(customerId) {
      const out: Awaited<ReturnType<PersonalDataHolders["exportCustomer"]>> = {};
      for (const plugin of holders()) {
        out[plugin.manifest.name] = await plugin.exportCustomer(customerId);
      }
      return out;
    },
    async eraseCustomer(customerId, pseudonym) {
      const out: Awaited<ReturnType<PersonalDataHolders["eraseCustomer"]>> = {};
      for (const plugin of holders()) {
        try {
          out[plugin.manifest.name] = await plugin.eraseCustomer(customerId, pseudonym);
        } catch (error) {
          throw new Error(
            `Plugin "${plugin.manifest.name}" failed to erase the customer: ` +
              `${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
      }
      return out;
    },
  };
}
