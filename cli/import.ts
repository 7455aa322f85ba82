/**
 * `deno task import FILE [--kind customers|events] [--batch-size N]`
 *
 * Loads customers or usage events from NDJSON or CSV. The whole file is
 * checked first and nothing is written if any record is invalid; then it is
 * written in batches with a progress bar. Re-running an import is safe:
 * customers are upserted and events are idempotent by id. When the engine
 * holds the embedded database, the import goes through its API.
 */
import { parseArgs } from "node:util";
import type { z } from "zod";
import { systemClock } from "../engine/clock.ts";
import { type Config, loadConfig } from "../engine/config.ts";
import { EngineError, type FieldIssue } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";
import {
  type CustomerRecord,
  customerRecordSchema,
  eventTimeProblem,
  ingestEvents,
  lockCustomers,
  upsertCustomers,
  type UsageEvent,
  usageEventSchema,
} from "../engine/signals/mod.ts";
import { zodIssues } from "../engine/validation.ts";
import { type Access, accessDatabase } from "./database.ts";
import { formatOf, type ImportFormat, readRecords } from "./import_records.ts";
import { progress, runCommand, say } from "./output.ts";

type Kind = "customers" | "events";
const MAX_REPORTED = 20;

await runCommand(async () => {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { kind: { type: "string" }, "batch-size": { type: "string", default: "1000" } },
  });
  const path = positionals[0];
  if (!path) {
    throw new EngineError(
      "IMPORT_FAILED",
      "Name the file: deno task import FILE [--kind customers|events]",
    );
  }
  const batchSize = Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
    throw new EngineError("IMPORT_FAILED", "--batch-size must be a whole number from 1 to 1000");
  }
  const format = formatOf(path);
  const size = (await Deno.stat(path).catch(() => {
    throw new EngineError("IMPORT_FAILED", `Cannot read ${path}: no such file`);
  })).size;
  const kind = (values.kind as Kind | undefined) ?? await detectKind(path, format);
  if (kind !== "customers" && kind !== "events") {
    throw new EngineError("IMPORT_FAILED", `--kind must be customers or events, not "${kind}"`);
  }
  const config = loadConfig(Deno.env.toObject());
  const now = systemClock.now();

  say(`Checking ${path} (${kind}, ${format}, ${(size / 1e6).toFixed(1)} MB)`);
  const checked = await checkFile(path, format, kind, config, now);
  const access = await accessDatabase(config, {
    command: "import",
    log: createLogger({ level: "warn" }),
    viaApi: true,
  });
  try {
    if (kind === "events") await assertCustomersExist(access, checked.customerIds);
    const bar = progress(`Importing ${kind}`, checked.count);
    let written = 0, duplicates = 0;
    let batch: unknown[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      duplicates += await writeBatch(access, kind, batch, config);
      written += batch.length;
      batch = [];
      bar.update(written);
    };
    for await (const record of readRecords(path, format)) {
      batch.push(schemaOf(kind).parse(record.value));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    bar.done(
      `${written.toLocaleString("en")} ${kind}` +
        (kind === "events" ? `, ${duplicates.toLocaleString("en")} already there` : ""),
    );
  } finally {
    if (access.kind === "db") await access.db.close();
  }
});

function schemaOf(kind: Kind): z.ZodType<CustomerRecord | UsageEvent> {
  return kind === "customers" ? customerRecordSchema : usageEventSchema;
}

async function detectKind(path: string, format: ImportFormat): Promise<Kind> {
  for await (const record of readRecords(path, format)) {
    const value = record.value as Record<string, unknown> | null;
    if (value && "occurredAt" in value) return "events";
    if (value && "vendorType" in value) return "customers";
    break;
  }
  throw new EngineError(
    "IMPORT_FAILED",
    "Cannot tell whether the file holds customers or events: pass --kind customers or --kind events",
  );
}

/** Validates every record; throws IMPORT_FAILED listing the first problems by line. */
async function checkFile(
  path: string,
  format: ImportFormat,
  kind: Kind,
  config: Config,
  now: Date,
) {
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  const customerIds = new Set<string>();
  let count = 0, bad = 0;
  const limits = {
    futureToleranceSeconds: config.EVENT_FUTURE_TOLERANCE_SECONDS,
    retentionDays: config.DATA_RETENTION_DAYS,
  };
  const report = (line: number, field: string, message: string) => {
    if (issues.length < MAX_REPORTED) {
      issues.push({ path: `line ${line}${field ? `, ${field}` : ""}`, message });
    }
  };
  for await (const record of readRecords(path, format)) {
    count++;
    if (record.error) {
      bad++;
      report(record.line, "", record.error);
      continue;
    }
    const parsed = schemaOf(kind).safeParse(record.value);
    if (!parsed.success) {
      bad++;
      for (const issue of zodIssues(parsed.error)) report(record.line, issue.path, issue.message);
      continue;
    }
    if (kind === "customers") {
      const id = (parsed.data as CustomerRecord).id;
      const first = seen.get(id);
      if (first !== undefined) {
        bad++;
        report(
          record.line,
          "id",
          `customer "${id}" also appears on line ${first}; list each customer once`,
        );
      } else seen.set(id, record.line);
    } else {
      const event = parsed.data as UsageEvent;
      customerIds.add(event.customerId);
      const problem = eventTimeProblem(event.occurredAt, now, limits);
      if (problem) {
        bad++;
        report(record.line, "occurredAt", problem);
      }
    }
  }
  if (count === 0) throw new EngineError("IMPORT_FAILED", `${path} holds no records`);
  if (bad > 0) {
    throw new EngineError(
      "IMPORT_FAILED",
      `${bad.toLocaleString("en")} of ${
        count.toLocaleString("en")
      } records in ${path} are invalid; nothing was imported. Fix them and run the import again`,
      { issues },
    );
  }
  return { count, customerIds };
}

async function assertCustomersExist(access: Access, ids: Set<string>): Promise<void> {
  const all = [...ids];
  const missing: string[] = [];
  for (let i = 0; i < all.length; i += 5_000) {
    const chunk = all.slice(i, i + 5_000);
    if (access.kind === "db") {
      missing.push(...await access.db.transaction((tx) => lockCustomers(tx, chunk)));
    } else {
      for (const id of chunk) {
        const response = await fetch(
          `${access.engineUrl}/api/v1/customers/${encodeURIComponent(id)}`,
          { headers: access.headers },
        );
        await response.body?.cancel();
        if (response.status === 404) missing.push(id);
      }
    }
  }
  if (missing.length > 0) {
    throw new EngineError(
      "IMPORT_FAILED",
      `The file has events of ${missing.length} customers that do not exist (${
        missing.slice(0, 5).join(", ")
      }${missing.length > 5 ? ", …" : ""}); import the customers first. Nothing was imported`,
    );
  }
}

/** Writes one batch; returns how many events were already stored. */
async function writeBatch(
  access: Access,
  kind: Kind,
  batch: unknown[],
  config: Config,
): Promise<number> {
  if (access.kind === "db") {
    if (kind === "customers") {
      await upsertCustomers(access.db, batch as CustomerRecord[], { now: systemClock.now() });
      return 0;
    }
    const result = await ingestEvents(access.db, batch as UsageEvent[], {
      now: systemClock.now(),
      limits: {
        futureToleranceSeconds: config.EVENT_FUTURE_TOLERANCE_SECONDS,
        retentionDays: config.DATA_RETENTION_DAYS,
      },
    });
    return result.duplicates;
  }
  const url = kind === "customers" ? "/api/v1/customers/batch" : "/api/v1/events";
  const response = await fetch(access.engineUrl + url, {
    method: "POST",
    headers: { ...access.headers, "content-type": "application/json" },
    body: JSON.stringify({ [kind]: batch }),
  });
  const body = await response.json();
  if (!response.ok) {
    throw new EngineError(
      "IMPORT_FAILED",
      `The engine refused a batch: ${body.detail ?? response.status}`,
      {
        issues: body.errors ?? [],
      },
    );
  }
  return kind === "events" ? body.duplicates : 0;
}
