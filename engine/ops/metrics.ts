/**
 * A small metrics registry: counters, gauges and histograms with labels,
 * rendered in the Prometheus text exposition format (0.0.4) for
 * `GET /metrics`, each measurement also recorded on the OpenTelemetry meter.
 *
 * Written here rather than taken from prom-client (which works under Deno):
 * prom-client adds 90–200 ms to the start of every process that imports the
 * engine's cycle runner (the commands too), and its default collectors start
 * timers that outlive a test. Three metric types and one text format are
 * about 200 lines.
 */
import { EngineError } from "../errors.ts";
import { type Meter, meter as defaultMeter } from "./otel.ts";

/** The values of a metric's labels, one per label name. */
export type Labels<L extends string> = Readonly<Record<L, string | number>>;

/** What every metric is declared with. */
export interface MetricDefinition<L extends string> {
  /** Prometheus name, e.g. `cs_http_requests_total`; the OpenTelemetry name drops `_total`. */
  name: string;
  /** One line for `# HELP`. */
  help: string;
  /** Label names, in the order they are printed; keep their values few (no ids, no paths). */
  labels: readonly L[];
  /** OpenTelemetry unit, e.g. `s` or `By`. */
  unit?: string;
}

/** A histogram's definition: bucket upper bounds in ascending order. */
export interface HistogramDefinition<L extends string> extends MetricDefinition<L> {
  buckets: readonly number[];
}

/** A value that only goes up: requests, firings, sends. */
export interface Counter<L extends string> {
  readonly name: string;
  /** Adds `value` (default 1, must not be negative) to the series of `labels`. */
  inc(labels: Labels<L>, value?: number): void;
  /** The current value of a series (0 when it was never incremented). */
  value(labels: Labels<L>): number;
}

/** A value that goes up and down: lag, queue length. */
export interface Gauge<L extends string> {
  readonly name: string;
  /** Sets the series of `labels` to `value`. */
  set(labels: Labels<L>, value: number): void;
  /** The current value of a series, or undefined when it was never set. */
  value(labels: Labels<L>): number | undefined;
}

/** A distribution of observed values: durations. */
export interface Histogram<L extends string> {
  readonly name: string;
  /** Records one observation in the series of `labels`. */
  observe(labels: Labels<L>, value: number): void;
  /** How many observations a series has, and their sum. */
  stats(labels: Labels<L>): { count: number; sum: number };
}

/** Options of a MetricsRegistry. */
export interface MetricsRegistryOptions {
  /** Where measurements are also recorded; the engine's OpenTelemetry meter by default. */
  meter?: Meter;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  labels: readonly string[];
  render(out: string[]): void;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Holds metrics and renders them for Prometheus. */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();
  readonly #collectors: Array<() => void | Promise<void>> = [];
  readonly #meter: Meter;

  constructor(options: MetricsRegistryOptions = {}) {
    this.#meter = options.meter ?? defaultMeter;
  }

  /** Declares a counter; throws if the name is taken or not valid. */
  counter<L extends string>(definition: MetricDefinition<L>): Counter<L> {
    const series = new Map<string, { labels: Labels<L>; value: number }>();
    const instrument = this.#meter.createCounter(otelName(definition.name), {
      description: definition.help,
      ...(definition.unit ? { unit: definition.unit } : {}),
    });
    this.#register(definition, "counter", (out) => {
      for (const { labels, value } of series.values()) {
        out.push(`${definition.name}${labelText(definition.labels, labels)} ${num(value)}`);
      }
    });
    return {
      name: definition.name,
      inc(labels, value = 1) {
        if (!(value >= 0)) {
          throw new EngineError("INTERNAL", `Counter ${definition.name} cannot go down (${value})`);
        }
        const key = seriesKey(definition.labels, labels);
        const entry = series.get(key) ?? { labels, value: 0 };
        entry.value += value;
        series.set(key, entry);
        instrument.add(value, labels);
      },
      value: (labels) => series.get(seriesKey(definition.labels, labels))?.value ?? 0,
    };
  }

  /** Declares a gauge; throws if the name is taken or not valid. */
  gauge<L extends string>(definition: MetricDefinition<L>): Gauge<L> {
    const series = new Map<string, { labels: Labels<L>; value: number }>();
    const instrument = this.#meter.createGauge(otelName(definition.name), {
      description: definition.help,
      ...(definition.unit ? { unit: definition.unit } : {}),
    });
    this.#register(definition, "gauge", (out) => {
      for (const { labels, value } of series.values()) {
        out.push(`${definition.name}${labelText(definition.labels, labels)} ${num(value)}`);
      }
    });
    return {
      name: definition.name,
      set(labels, value) {
        series.set(seriesKey(definition.labels, labels), { labels, value });
        instrument.record(value, labels);
      },
      value: (labels) => series.get(seriesKey(definition.labels, labels))?.value,
    };
  }

  /** Declares a histogram; throws if the name is taken, not valid, or its buckets are not ascending. */
  histogram<L extends string>(definition: HistogramDefinition<L>): Histogram<L> {
    const bounds = definition.buckets;
    if (bounds.length === 0 || bounds.some((b, i) => i > 0 && b <= bounds[i - 1]!)) {
      throw new EngineError(
        "INTERNAL",
        `Histogram ${definition.name} needs at least one bucket, in ascending order`,
      );
    }
    if (definition.labels.includes("le" as L)) {
      throw new EngineError("INTERNAL", `Histogram ${definition.name} cannot have a label "le"`);
    }
    type Series = { labels: Labels<L>; counts: number[]; count: number; sum: number };
    const series = new Map<string, Series>();
    const instrument = this.#meter.createHistogram(otelName(definition.name), {
      description: definition.help,
      ...(definition.unit ? { unit: definition.unit } : {}),
      advice: { explicitBucketBoundaries: [...bounds] },
    });
    this.#register(definition, "histogram", (out) => {
      for (const { labels, counts, count, sum } of series.values()) {
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += counts[i]!;
          out.push(
            `${definition.name}_bucket${
              labelText(definition.labels, labels, num(bound))
            } ${cumulative}`,
          );
        });
        out.push(
          `${definition.name}_bucket${labelText(definition.labels, labels, "+Inf")} ${count}`,
        );
        out.push(`${definition.name}_sum${labelText(definition.labels, labels)} ${num(sum)}`);
        out.push(`${definition.name}_count${labelText(definition.labels, labels)} ${count}`);
      }
    });
    return {
      name: definition.name,
      observe(labels, value) {
        const key = seriesKey(definition.labels, labels);
        let entry = series.get(key);
        if (!entry) {
          entry = { labels, counts: bounds.map(() => 0), count: 0, sum: 0 };
          series.set(key, entry);
        }
        const bucket = bounds.findIndex((bound) => value <= bound);
        if (bucket >= 0) entry.counts[bucket]!++;
        entry.count++;
        entry.sum += value;
        instrument.record(value, labels);
      },
      stats(labels) {
        const entry = series.get(seriesKey(definition.labels, labels));
        return { count: entry?.count ?? 0, sum: entry?.sum ?? 0 };
      },
    };
  }

  /** Runs `collect` before every render, to set gauges read at scrape time (e.g. plugin lag). */
  onCollect(collect: () => void | Promise<void>): void {
    this.#collectors.push(collect);
  }

  /** Every metric in the Prometheus text format, families in name order. */
  async render(): Promise<string> {
    for (const collect of this.#collectors) await collect();
    const out: string[] = [];
    for (const family of [...this.#families.values()].sort((a, b) => a.name < b.name ? -1 : 1)) {
      out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      out.push(`# TYPE ${family.name} ${family.type}`);
      family.render(out);
    }
    return out.length === 0 ? "" : out.join("\n") + "\n";
  }

  #register(
    definition: MetricDefinition<string>,
    type: Family["type"],
    render: Family["render"],
  ): void {
    const { name, labels } = definition;
    if (!NAME.test(name)) throw new EngineError("INTERNAL", `Metric name "${name}" is not valid`);
    const bad = labels.find((label) => !LABEL.test(label) || label.startsWith("__"));
    if (bad !== undefined) {
      throw new EngineError("INTERNAL", `Metric ${name}: label name "${bad}" is not valid`);
    }
    if (this.#families.has(name)) {
      throw new EngineError("INTERNAL", `Metric ${name} is already registered`);
    }
    this.#families.set(name, { name, help: definition.help, type, labels, render });
  }
}

/** The Prometheus content type of `render()`'s output. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function otelName(name: string): string {
  // OpenTelemetry's Prometheus exporters add `_total` to monotonic sums themselves.
  return name.replace(/_total$/, "");
}

function seriesKey(names: readonly string[], labels: Labels<string>): string {
  return JSON.stringify(names.map((name) => String(labels[name] ?? "")));
}

function labelText(names: readonly string[], labels: Labels<string>, le?: string): string {
  const pairs = names.map((name) => `${name}="${escapeLabel(String(labels[name] ?? ""))}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
