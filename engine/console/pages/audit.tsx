/**
 * The audit log viewer: filters by actor, subject, action and time; each
 * entry's before and after as a field-level diff; the hash chain's status.
 * Times in the filters are UTC, as in the entries.
 */
import type { Hono } from "hono";
import { type AuditEntry, auditFacets, listAudit, verifyAuditChain } from "../../audit/mod.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { diffFields } from "../diff.ts";
import { DiffTable } from "../diff_table.tsx";
import { Field } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

const PAGE_SIZE = 50;
const TEXT_FILTERS = ["actor", "action", "subjectType", "subjectId"] as const;

/** The filters as typed, and what they mean once checked. */
interface AuditFilters {
  values: Record<string, string>;
  errors: Record<string, string>;
  since?: Date;
  until?: Date;
  cursor?: number;
}

/** Registers GET /audit. */
export function registerAuditPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/audit", requireSession(deps, "read:audit"), async (c) => {
    const filters = readFilters(new URL(c.req.url).searchParams);
    const valid = Object.keys(filters.errors).length === 0;
    const [chain, facets, page] = await Promise.all([
      verifyAuditChain(deps.db),
      auditFacets(deps.db),
      valid
        ? listAudit(deps.db, {
          limit: PAGE_SIZE,
          ...textFilters(filters.values),
          ...(filters.since ? { since: filters.since } : {}),
          ...(filters.until ? { until: filters.until } : {}),
          ...(filters.cursor ? { cursor: filters.cursor } : {}),
        })
        : Promise.resolve({ entries: [], nextCursor: null }),
    ]);
    const next = new URLSearchParams(filters.values);
    if (page.nextCursor !== null) next.set("cursor", String(page.nextCursor));
    return c.html(
      <Layout title="Audit log" session={c.get("session")} current="/console/audit">
        <p class={chain.valid ? "status ok" : "status bad"} role="status">
          {chain.valid
            ? `Hash chain verified: all ${chain.entries} entries are intact.`
            : `Hash chain broken at entry #${chain.firstBrokenId}: that entry or one before ` +
              "it was edited, removed or inserted outside the engine."}
        </p>
        <form method="get" action="/console/audit" class="filters" role="search">
          <Field
            name="actor"
            label="Actor"
            value={filters.values.actor}
            list="audit-actors"
            hint="e.g. user:2 (ana@example.com)"
          />
          <Field name="action" label="Action" value={filters.values.action} list="audit-actions" />
          <Field
            name="subjectType"
            label="Entity type"
            value={filters.values.subjectType}
            list="audit-subjects"
          />
          <Field name="subjectId" label="Entity id" value={filters.values.subjectId} />
          <Field
            name="since"
            label="From (UTC)"
            type="datetime-local"
            value={filters.values.since}
            error={filters.errors.since}
          />
          <Field
            name="until"
            label="Before (UTC)"
            type="datetime-local"
            value={filters.values.until}
            error={filters.errors.until}
          />
          <div class="actions">
            <button type="submit">Filter</button>
            <a href="/console/audit">Clear filters</a>
          </div>
          <Suggestions id="audit-actors" values={facets.actors} />
          <Suggestions id="audit-actions" values={facets.actions} />
          <Suggestions id="audit-subjects" values={facets.subjectTypes} />
        </form>
        <h2 id="entries">Entries</h2>
        {page.entries.length === 0
          ? <p>No entry matches these filters.</p>
          : (
            <ol class="entries" aria-labelledby="entries">
              {page.entries.map((entry) => <Entry key={entry.id} entry={entry} />)}
            </ol>
          )}
        {page.nextCursor !== null
          ? (
            <p>
              <a href={`/console/audit?${next}`}>Older entries</a>
            </p>
          )
          : null}
      </Layout>,
    );
  });
}

function Suggestions(props: { id: string; values: readonly string[] }) {
  return (
    <datalist id={props.id}>
      {props.values.map((value) => <option key={value} value={value} />)}
    </datalist>
  );
}

function Entry(props: { entry: AuditEntry }) {
  const { entry } = props;
  const changes = diffFields(entry.before, entry.after);
  return (
    <li class="entry">
      <p class="entry-head">
        <strong>{entry.action}</strong> on {entry.subjectType} <code>{entry.subjectId}</code>
      </p>
      <p class="entry-meta">
        #{entry.id} · <time datetime={entry.at}>{entry.at.slice(0, 19).replace("T", " ")} UTC</time>
        {" · by "}
        {entry.actor}
        {entry.reason ? ` · reason: ${entry.reason}` : ""}
      </p>
      {changes.length === 0 ? null : (
        <details>
          <summary>
            {changes.length} field{changes.length === 1 ? "" : "s"} changed
          </summary>
          <DiffTable changes={changes} caption={`Changes of entry #${entry.id}`} />
        </details>
      )}
    </li>
  );
}

function readFilters(query: URLSearchParams): AuditFilters {
  const filters: AuditFilters = { values: {}, errors: {} };
  for (const name of [...TEXT_FILTERS, "since", "until"]) {
    const value = query.get(name)?.trim().slice(0, 200) ?? "";
    if (value !== "") filters.values[name] = value;
  }
  for (const name of ["since", "until"] as const) {
    const text = filters.values[name];
    if (text === undefined) continue;
    const at = parseUtc(text);
    if (at) filters[name] = at;
    else filters.errors[name] = "must be a date and time, e.g. 2026-11-26T14:30";
  }
  if (filters.since && filters.until && filters.since >= filters.until) {
    filters.errors.until = "must be after From";
  }
  const cursor = Number(query.get("cursor"));
  if (Number.isSafeInteger(cursor) && cursor > 0) filters.cursor = cursor;
  return filters;
}

/** `2026-11-26T14:30` (a datetime-local value) or a full ISO time, read as UTC. */
function parseUtc(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text)) {
    return undefined;
  }
  const withZone = /T.*(Z|[+-]\d{2}:\d{2})$/.test(text)
    ? text
    : text.includes("T")
    ? `${text}Z`
    : `${text}T00:00Z`;
  const at = new Date(withZone);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function textFilters(values: Record<string, string>) {
  const picked: Partial<Record<(typeof TEXT_FILTERS)[number], string>> = {};
  for (const name of TEXT_FILTERS) if (values[name] !== undefined) picked[name] = values[name];
  return picked;
}
