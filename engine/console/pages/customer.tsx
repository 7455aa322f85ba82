/**
 * One customer (/console/customers/{id}): why they are at risk, when they
 * are, at the top; then health with its trend and components, the churn
 * prediction and its reasons, milestones, rule firings with their
 * explanations, interventions with status and outcome, and the in-app inbox.
 * Each section says in a sentence when it has nothing yet. Who the customer
 * is shows at once; the rest streams in (engine/console/loading.tsx), so a
 * slow database shows "Loading …" rather than a blank page.
 */
import type { Context, Hono } from "hono";
import { type Customer, customerIdSchema } from "../../signals/mod.ts";
import { utc } from "../customer/bands.ts";
import { ChurnSection } from "../customer/churn_section.tsx";
import { FiringsSection } from "../customer/firings_section.tsx";
import { HealthSection } from "../customer/health_section.tsx";
import { type CustomerView, findCustomer, loadCustomerView } from "../customer/load.ts";
import { MilestonesSection } from "../customer/milestones_section.tsx";
import { InboxSection, InterventionsSection } from "../customer/outreach_sections.tsx";
import { whyAtRisk } from "../customer/why_at_risk.ts";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { Layout } from "../layout.tsx";
import { Deferred, streamedPage, WholePageLink } from "../loading.tsx";
import { requireSession } from "../session.ts";

/** Registers GET /customers/:id. */
export function registerCustomerPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get("/customers/:id", requireSession(deps, "read:metrics"), async (c) => {
    const id = c.req.param("id");
    const customer = customerIdSchema.safeParse(id).success
      ? await findCustomer(deps.db, id)
      : null;
    if (!customer) return notFound(c, id);
    // Who the customer is at once; the rest (a dozen reads) streams in when it has loaded.
    return streamedPage(
      c,
      <Layout title={customer.name} session={c.get("session")} current="/console/customers">
        <WholePageLink path={`/console/customers/${encodeURIComponent(customer.id)}`} />
        <CustomerFacts customer={customer} />
        <Deferred
          what="the customer's health, churn prediction and history"
          log={(error) => deps.log.error("customer page failed", { error })}
          load={() => loadCustomerView(deps.db, customer, deps.clock.now())}
          render={(view) => <CustomerDetails view={view} />}
        />
      </Layout>,
    );
  });
}

function notFound(c: Context<ConsoleEnv>, id: string) {
  return c.html(
    <Layout title="No such customer" session={c.get("session")} current="/console/customers">
      <p role="alert">
        There is no customer with the id{" "}
        <code>{id}</code>. It may have been mistyped, or the customer was erased (a privacy request
        removes a customer and everything about them).
      </p>
      <p>
        <a href="/console/customers">Back to the customer list</a>
      </p>
    </Layout>,
    404,
  );
}

function CustomerFacts(props: { customer: Customer }) {
  const customer = props.customer;
  const email = typeof customer.attributes.email === "string" ? customer.attributes.email : null;
  return (
    <>
      <p>
        <a href="/console/customers">← All customers</a>
      </p>
      <dl class="customer-facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{customer.id}</code>
          </dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>{customer.vendorType.replaceAll("_", " ")}</dd>
        </div>
        <div>
          <dt>Plan</dt>
          <dd>
            {customer.plan}, {customer.mrr.toLocaleString("en", {
              style: "currency",
              currency: customer.currency,
            })} a month
          </dd>
        </div>
        <div>
          <dt>Since</dt>
          <dd>{customer.signupDate}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{customer.churnedAt ? `churned ${utc(customer.churnedAt)}` : "active"}</dd>
        </div>
        {email
          ? (
            <div>
              <dt>Email</dt>
              <dd>{email}</dd>
            </div>
          )
          : null}
      </dl>
    </>
  );
}

function CustomerDetails(props: { view: CustomerView }) {
  const v = props.view;
  const customer = v.customer;
  const risk = whyAtRisk(v.health, v.healthModel, v.prediction, customer.currency);
  return (
    <>
      {risk
        ? (
          <section class="why-at-risk" aria-labelledby="why-at-risk">
            {customer.churnedAt
              ? (
                <>
                  <h2 id="why-at-risk">Why they left</h2>
                  <p>
                    {customer.name} churned {utc(customer.churnedAt)}; their last scores read:{" "}
                    {risk.signals.join("; ")}.
                  </p>
                </>
              )
              : (
                <>
                  <h2 id="why-at-risk">Why at risk</h2>
                  <p>
                    {customer.name} is at risk: {risk.signals.join("; ")}.
                  </p>
                </>
              )}
            {risk.reasons.length > 0
              ? (
                <ul>
                  {risk.reasons.map((reason) => <li key={reason}>{reason}</li>)}
                </ul>
              )
              : <p>No single component or feature stands out.</p>}
          </section>
        )
        : null}
      <section aria-labelledby="health">
        <h2 id="health">Health</h2>
        <HealthSection
          health={v.health}
          model={v.healthModel}
          churned={customer.churnedAt !== null}
        />
      </section>
      <section aria-labelledby="churn">
        <h2 id="churn">Churn prediction</h2>
        <ChurnSection
          prediction={v.prediction}
          activeModel={v.activeModel}
          currency={customer.currency}
        />
      </section>
      <section aria-labelledby="milestones">
        <h2 id="milestones">Milestones</h2>
        <MilestonesSection milestones={v.milestones} />
      </section>
      <section aria-labelledby="firings">
        <h2 id="firings">Rule firings</h2>
        <FiringsSection
          firings={v.firings.items}
          more={v.firings.more}
          ruleNames={v.ruleNames}
          catalog={v.catalog}
        />
      </section>
      <section aria-labelledby="interventions">
        <h2 id="interventions">Interventions</h2>
        <InterventionsSection
          interventions={v.interventions.items}
          effects={v.effects}
          more={v.interventions.more}
          ruleNames={v.ruleNames}
        />
      </section>
      <section aria-labelledby="inbox">
        <h2 id="inbox">In-app inbox</h2>
        <InboxSection messages={v.inbox.items} more={v.inbox.more} />
      </section>
    </>
  );
}
