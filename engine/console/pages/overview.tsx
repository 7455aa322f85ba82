/**
 * The overview: the success metrics of the last 90 days as charts (from
 * mv_success_metrics), the last cycles and the next one, each component's
 * health with the plugins' breakers and lag, and the open alerts. Each part
 * says plainly when it has nothing yet.
 */
import type { Hono } from "hono";
import { z } from "zod";
import { type Alert, listAlerts } from "../../alerts/mod.ts";
import { DAY_MS } from "../../clock.ts";
import { nextCronTicks } from "../../cron_expression.ts";
import type { HealthReport } from "../../ops/mod.ts";
import { type DailyMetrics, dailyMetrics, weeklyUplift } from "../../reports/mod.ts";
import { type Cycle, listCycles } from "../../schedule/mod.ts";
import { LineChart } from "../chart.tsx";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { Layout } from "../layout.tsx";
import { Deferred, streamedPage, WholePageLink } from "../loading.tsx";
import { LiveFeed } from "./overview_live_feed.tsx";
import { Uplift } from "./overview_uplift.tsx";
import { requireSession } from "../session.ts";

const DAYS = 90;

// What the overview reads of the "plugins" health check's details (engine/ops).
const pluginDetails = z.object({
  plugins: z.array(z.object({
    plugin: z.string(),
    status: z.string(),
    delivery: z.string(),
    breaker: z.string().optional(),
    lagSeconds: z.number().nullable(),
  })).catch([]),
});

/** Registers GET / (the console's home). */
export function registerOverviewPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/", requireSession(deps, "read:metrics"), (c) => {
    const now = deps.clock.now();
    const log = (error: unknown) => deps.log.error("overview section failed", { error });
    const from = new Date(now.getTime() - DAYS * DAY_MS);
    // Each section reads on its own: a slow query holds back its section, not the page.
    return streamedPage(
      c,
      <Layout
        title="Overview"
        session={c.get("session")}
        current="/console"
        scripts={["live_feed.js"]}
      >
        <WholePageLink path="/console" />
        <h2>Success metrics, last {DAYS} days</h2>
        <Deferred
          what="the success metrics"
          log={log}
          load={() =>
            dailyMetrics(deps.db, {
              from: from.toISOString().slice(0, 10),
              to: now.toISOString().slice(0, 10),
            })}
          render={(days) => <Metrics days={days} />}
        />
        <h2>Uplift against holdout</h2>
        <Deferred
          what="the uplift against holdout"
          log={log}
          load={() => weeklyUplift(deps.db, { from, to: now })}
          render={(weeks) => <Uplift weeks={weeks} />}
        />
        <h2>Live feed</h2>
        <LiveFeed running={deps.plugins?.running("dashboard") !== undefined} />
        <h2>Cycles</h2>
        <Deferred
          what="the cycles"
          log={log}
          load={() => listCycles(deps.db, { limit: 5 })}
          render={(cycles) => (
            <Cycles
              cycles={cycles.cycles}
              next={deps.config.CUSTOMER_SUCCESS_ENABLED
                ? nextCronTicks(deps.config.CYCLE_SCHEDULE, now, 1)[0]
                : undefined}
              schedule={deps.config.CYCLE_SCHEDULE}
            />
          )}
        />
        <h2>Engine and plugin health</h2>
        <Deferred
          what="the health checks"
          log={log}
          load={() => deps.health.report()}
          render={(report) => <Health report={report} />}
        />
        <h2>Open alerts</h2>
        <Deferred
          what="the open alerts"
          log={log}
          load={() => listAlerts(deps.db, { status: "open", limit: 20 })}
          render={(alerts) => <Alerts alerts={alerts} />}
        />
      </Layout>,
    );
  });
}

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
const whole = (v: number) => v.toLocaleString("en", { maximumFractionDigits: 1 });

function Metrics(props: { days: readonly DailyMetrics[] }) {
  const series = (pick: (d: DailyMetrics) => number | null) =>
    props.days.map((d) => ({ date: d.date, value: pick(d) }));
  return (
    <div class="charts">
      <LineChart
        id="avg-health"
        title="Average health"
        points={series((d) => d.avgHealth)}
        format={whole}
      />
      <LineChart
        id="at-risk"
        title="At-risk customers"
        points={series((d) => d.atRiskCount)}
        format={whole}
      />
      <LineChart
        id="churn"
        title="Churn rate"
        points={series((d) => d.churnRate)}
        format={percent}
      />
      <LineChart
        id="success"
        title="Intervention success rate"
        points={series((d) => d.successRate)}
        format={percent}
      />
    </div>
  );
}

function Cycles(props: { cycles: readonly Cycle[]; next: Date | undefined; schedule: string }) {
  return (
    <>
      <p>
        {props.next
          ? `Next scheduled cycle: ${utc(props.next.toISOString())} ("${props.schedule}").`
          : "No scheduled cycles (CUSTOMER_SUCCESS_ENABLED=false)."}
      </p>
      {props.cycles.length === 0
        ? <p>No cycle has run yet.</p>
        : (
          <div class="table-scroll" tabindex={0} role="region" aria-label="Last cycles">
            <table class="stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">Cycle</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {props.cycles.map((cycle) => (
                  <tr>
                    <th scope="row">#{cycle.id}</th>
                    <td data-label="Trigger">{cycle.trigger}</td>
                    <td data-label="Status">
                      {cycle.status}
                      {cycle.error ? `: ${cycle.error}` : ""}
                    </td>
                    <td data-label="Started">{utc(cycle.startedAt)}</td>
                    <td data-label="Finished">{cycle.finishedAt ? utc(cycle.finishedAt) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </>
  );
}

function Health(props: { report: HealthReport }) {
  const components = Object.values(props.report.components);
  const pluginsCheck = props.report.components.integrations.checks.find((c) =>
    c.name === "plugins"
  );
  const plugins = pluginDetails.safeParse(pluginsCheck?.details ?? {}).data?.plugins ?? [];
  return (
    <>
      <ul class="health">
        {components.map((component) => (
          <li class={`health-${component.status}`}>
            <strong>{component.component}</strong>: {component.status}
            {component.reasons.length > 0 ? ` — ${component.reasons.join("; ")}` : ""}
          </li>
        ))}
      </ul>
      {plugins.length === 0
        ? <p>No plugin receives events in this engine.</p>
        : (
          <div class="table-scroll" tabindex={0} role="region" aria-label="Plugins">
            <table class="stack-on-phone">
              <thead>
                <tr>
                  <th scope="col">Plugin</th>
                  <th scope="col">Status</th>
                  <th scope="col">Delivery</th>
                  <th scope="col">Circuit breaker</th>
                  <th scope="col">Lag</th>
                </tr>
              </thead>
              <tbody>
                {plugins.map((plugin) => (
                  <tr>
                    <th scope="row">{plugin.plugin}</th>
                    <td data-label="Status">{plugin.status}</td>
                    <td data-label="Delivery">{plugin.delivery}</td>
                    <td data-label="Circuit breaker">{plugin.breaker ?? "—"}</td>
                    <td data-label="Lag">
                      {plugin.lagSeconds === null ? "none waiting" : `${plugin.lagSeconds} s`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </>
  );
}

function Alerts(props: { alerts: readonly Alert[] }) {
  if (props.alerts.length === 0) return <p>No open alert.</p>;
  return (
    <ul class="alerts">
      {props.alerts.map((alert) => (
        <li>
          <strong>{alert.severity}</strong> {alert.ruleId}
          {alert.group ? ` (${alert.group})` : ""}: {alert.metric} is {whole(alert.value)}{" "}
          ({alert.comparison} {whole(alert.threshold)}), open since{" "}
          {alert.openedAt ? utc(alert.openedAt) : "—"}
          {alert.acknowledgedBy ? `, acknowledged by ${alert.acknowledgedBy}` : ""}
        </li>
      ))}
    </ul>
  );
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
