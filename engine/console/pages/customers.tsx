/**
 * The customer list (/console/customers): search by id or email, filter by
 * health band, at-risk, health at most, plan and status, sort by health,
 * at-risk score or churn probability, 50 a page. Each row: name, health with
 * its band, churn probability, last activity; one card per customer on a
 * phone. The rows come from the same list the API's GET /api/v1/customers
 * serves, names decrypted the same way.
 */
import type { Hono } from "hono";
import { isEngineError } from "../../errors.ts";
import { listCustomersWithHealth, type ListedCustomer } from "../../health/mod.ts";
import { latestChurnPredictions, type PredictionSummary } from "../../ml/mod.ts";
import { lastActivity } from "../../signals/mod.ts";
import { healthBand, healthBands, percent, utc, whole } from "../customer/bands.ts";
import { listSorts, readListQuery } from "../customer/list_filters.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { Choice, Field } from "../forms.tsx";
import { Layout } from "../layout.tsx";
import { requireSession } from "../session.ts";

const PAGE_SIZE = 50;

/** A listed customer with what the row shows beside its health. */
interface Row {
  customer: ListedCustomer;
  prediction: PredictionSummary | undefined;
  lastActivity: string | undefined;
}

/** Registers GET /customers. */
export function registerCustomersPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/customers", requireSession(deps, "read:metrics"), async (c) => {
    const query = readListQuery(new URL(c.req.url).searchParams);
    const valid = Object.keys(query.errors).length === 0;
    let notice: string | null = null;
    const list = (cursor: string | undefined) =>
      listCustomersWithHealth(deps.db, {
        limit: PAGE_SIZE,
        sort: query.sort,
        filters: query.filters,
        ...(cursor ? { cursor } : {}),
      });
    let page: Awaited<ReturnType<typeof list>> = { customers: [], nextCursor: null };
    if (valid) {
      try {
        page = await list(query.cursor);
      } catch (error) {
        // A cursor from another sort, or edited by hand: start again from the first page.
        if (!isEngineError(error, "VALIDATION_FAILED") || !query.cursor) throw error;
        notice = "That page link no longer fits these filters, so this is the first page.";
        page = await list(undefined);
      }
    }
    const ids = page.customers.map((customer) => customer.id);
    const [predictions, activity] = await Promise.all([
      latestChurnPredictions(deps.db, ids),
      lastActivity(deps.db, ids),
    ]);
    const rows: Row[] = page.customers.map((customer) => ({
      customer,
      prediction: predictions.get(customer.id),
      lastActivity: activity.get(customer.id),
    }));
    // The filters as typed (never the cursor): the first page, and the next with its cursor.
    const kept = new URLSearchParams(query.values as Record<string, string>);
    const next = new URLSearchParams(kept);
    if (page.nextCursor !== null) next.set("cursor", page.nextCursor);
    return c.html(
      <Layout title="Customers" session={c.get("session")} current="/console/customers">
        <Filters values={query.values} errors={query.errors} />
        {notice ? <p class="notice" role="status">{notice}</p> : null}
        <h2 id="customers-found">Customers</h2>
        {!valid
          ? <p>Correct the search above to see customers.</p>
          : rows.length === 0
          ? <p>No customer matches this search and these filters.</p>
          : <CustomerTable rows={rows} />}
        <p class="pager">
          {query.cursor ? <a href={`/console/customers?${kept}`}>First page</a> : null}
          {page.nextCursor !== null
            ? <a href={`/console/customers?${next}`}>Next {PAGE_SIZE} customers</a>
            : null}
        </p>
      </Layout>,
    );
  });
}

function Filters(
  props: { values: Record<string, string | undefined>; errors: Record<string, string> },
) {
  const { values, errors } = props;
  return (
    <form method="get" action="/console/customers" class="filters customer-filters" role="search">
      <Field
        name="q"
        label="Search"
        type="search"
        value={values.q}
        error={errors.q}
        hint="A customer id (or its start) or a whole email address. Names are stored encrypted, so they cannot be searched."
      />
      <Choice
        name="band"
        label="Health band"
        value={values.band}
        error={errors.band}
        options={[
          { value: "", label: "Any band" },
          ...healthBands.map((b) => ({ value: b.band, label: b.label })),
        ]}
      />
      <Field
        name="maxHealth"
        label="Health at most"
        type="number"
        value={values.maxHealth}
        error={errors.maxHealth}
      />
      <Field name="plan" label="Plan" value={values.plan} error={errors.plan} hint="e.g. starter" />
      <Choice
        name="status"
        label="Status"
        value={values.status}
        error={errors.status}
        options={[
          { value: "", label: "Active and churned" },
          { value: "active", label: "Active" },
          { value: "churned", label: "Churned" },
        ]}
      />
      <Choice
        name="sort"
        label="Sort by"
        value={values.sort}
        options={listSorts.map((s) => ({ value: s.sort, label: s.label }))}
      />
      <div class="field checkbox">
        <input
          id="f-atRisk"
          type="checkbox"
          name="atRisk"
          value="on"
          checked={values.atRisk === "on"}
        />
        <label for="f-atRisk">At risk only (at-risk score over 70)</label>
      </div>
      <div class="actions">
        <button type="submit">Search</button>
        <a href="/console/customers">Clear</a>
      </div>
    </form>
  );
}

function CustomerTable(props: { rows: readonly Row[] }) {
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-labelledby="customers-found">
      <table class="stack-on-phone customers">
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">Health</th>
            <th scope="col">Churn probability</th>
            <th scope="col">Last activity</th>
            <th scope="col">Plan</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(({ customer, prediction, lastActivity }) => (
            <tr>
              <th scope="row">
                <a href={`/console/customers/${encodeURIComponent(customer.id)}`}>
                  {customer.name}
                </a>{" "}
                <span class="muted">{customer.id}</span>{" "}
                {customer.churnedAt ? <span class="muted">(churned)</span> : null}
              </th>
              <td data-label="Health">
                {customer.health
                  ? (
                    <>
                      {whole(customer.health.score)}{" "}
                      <span class={`band band-${healthBand(customer.health.score)}`}>
                        {healthBand(customer.health.score)}
                      </span>
                    </>
                  )
                  : "not scored yet"}
              </td>
              <td data-label="Churn probability">
                {prediction
                  ? `${percent(prediction.probability)}${
                    prediction.confident ? "" : " (not confident)"
                  }`
                  : "no prediction"}
              </td>
              <td data-label="Last activity">{lastActivity ? utc(lastActivity) : "none"}</td>
              <td data-label="Plan">{customer.plan}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
