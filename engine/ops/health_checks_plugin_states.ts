/**
 * The `integrations` component's view of the plugins themselves: which run,
 * which could not start and why, and what each running plugin says of its
 * own health (a sandboxed one's restarts included). The event hub's check
 * (health_checks_integrations.ts) says whether their events keep up.
 */
import type { PluginHost } from "../plugins/mod.ts";
import { type HealthCheck, type HealthStatus, worstStatus } from "./health_checks.ts";

/** What the check reads of the plugin host. */
export type PluginStatesView = Pick<PluginHost, "list" | "running">;

/** Each plugin's state and own health: degraded when an enabled plugin is down or unwell. */
export function pluginStatesCheck(host: PluginStatesView | undefined): HealthCheck {
  return {
    name: "plugin-states",
    component: "integrations",
    async run() {
      if (!host) {
        return {
          status: "healthy",
          message: "This engine runs no plugins",
          details: { plugins: [] },
        };
      }
      const plugins = await Promise.all(
        host.list().map(async (plugin) => {
          const running = host.running(plugin.name);
          const health = running ? await running.health() : null;
          const status: HealthStatus = plugin.enabled && plugin.state !== "running"
            ? "degraded"
            : health?.status === "unhealthy"
            ? "degraded"
            : health?.status ?? "healthy";
          return {
            name: plugin.name,
            origin: plugin.origin,
            sandboxed: plugin.sandboxed,
            enabled: plugin.enabled,
            state: plugin.state,
            error: plugin.error,
            health,
            status,
          };
        }),
      );
      const troubled = plugins.filter((p) => p.status !== "healthy");
      return {
        status: worstStatus(plugins.map((p) => p.status)),
        message: troubled.length === 0
          ? `${plugins.filter((p) => p.state === "running").length} of ${plugins.length} ` +
            "plugins run; each reports itself healthy or is disabled"
          : troubled.map((p) =>
            p.state !== "running"
              ? `plugin ${p.name} is not running: ${p.error?.message ?? "it is stopped"}`
              : `plugin ${p.name} is ${p.health?.status}: ${p.health?.detail}`
          ).join("; "),
        details: { plugins },
      };
    },
  };
}
