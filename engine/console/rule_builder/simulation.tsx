/**
 * "Simulate" in the builder: the engine's population simulation of the
 * edited rule (in place of its published version, or joining the rule set
 * when new), shown as how many customers it would fire for, which ones, and
 * who would start or stop compared with what is live.
 */
import type { Queryable } from "../../db/mod.ts";
import { type RuleDefinition, simulatePopulation } from "../../rules/mod.ts";
import { customerColumns, type CustomerRow, readCustomers } from "../../signals/mod.ts";
import type { ConsoleDeps } from "../deps.ts";
import { extraFactsOf } from "./context.ts";

/** How many customers of each list the page shows. */
export const LISTED = 20;

/** A customer as the lists show it. */
interface Listed {
  id: string;
  name: string;
}

/** What the page shows of a simulation. */
export interface RuleSimulation {
  asOf: string;
  customers: number;
  /** Whether the rule has a published version to compare with. */
  live: boolean;
  withDraft: number;
  published: number;
  starting: number;
  stopping: number;
  firing: Listed[];
  startingList: Listed[];
  stoppingList: Listed[];
}

/** Simulates `definition` as rule `id` over every active customer now. */
export async function simulateRule(
  deps: ConsoleDeps,
  id: string,
  definition: RuleDefinition,
  live: boolean,
): Promise<RuleSimulation> {
  const result = await simulatePopulation(deps.db, [{ id, definition }], {
    asOf: deps.clock.now(),
    batchSize: deps.config.SCORING_BATCH_SIZE,
    extraFacts: extraFactsOf(deps),
    listCustomers: LISTED,
  });
  const impact = result.rules.find((rule) => rule.ruleId === id)!;
  const lists = impact.customers ?? { firing: [], starting: [], stopping: [] };
  const names = await customerNames(deps.db, [
    ...lists.firing,
    ...lists.starting,
    ...lists.stopping,
  ]);
  const named = (ids: string[]) => ids.map((cid) => ({ id: cid, name: names.get(cid) ?? cid }));
  return {
    asOf: result.asOf,
    customers: result.customers,
    live,
    withDraft: impact.withDrafts,
    published: impact.published,
    starting: impact.newlyFiring,
    stopping: impact.noLongerFiring,
    firing: named(lists.firing),
    startingList: named(lists.starting),
    stoppingList: named(lists.stopping),
  };
}

async function customerNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<CustomerRow>(
    `select ${customerColumns()} from customers where id = any($1::text[])`,
    [[...new Set(ids)]],
  );
  // Names may be sealed (field encryption): readCustomers opens them as a batch.
  const customers = await readCustomers(rows);
  return new Map(customers.map((customer) => [customer.id, customer.name]));
}

/** The simulation's result, under the builder. */
export function SimulationPanel(props: { simulation: RuleSimulation }) {
  const s = props.simulation;
  const plural = (n: number) => `${n} customer${n === 1 ? "" : "s"}`;
  return (
    <section class="simulation" id="simulation" aria-labelledby="simulation-title" tabindex={-1}>
      <h2 id="simulation-title">Simulation</h2>
      <p class="sim-total" role="status">
        Would fire for <strong>{plural(s.withDraft)}</strong> of the {s.customers}{" "}
        active now ({s.asOf.slice(0, 16).replace("T", " ")} UTC).
      </p>
      <p>
        {s.live
          ? `The published version fires for ${plural(s.published)}: ${s.starting} would start ` +
            `firing and ${s.stopping} would stop.`
          : "The rule is not live yet: every customer it fires for is new."}
      </p>
      <CustomerList title="Would fire for" customers={s.firing} total={s.withDraft} />
      {s.live
        ? (
          <>
            <CustomerList
              title="Would start firing"
              customers={s.startingList}
              total={s.starting}
            />
            <CustomerList title="Would stop firing" customers={s.stoppingList} total={s.stopping} />
          </>
        )
        : null}
    </section>
  );
}

function CustomerList(props: { title: string; customers: Listed[]; total: number }) {
  const more = props.total - props.customers.length;
  return (
    <div class="sim-list">
      <h3>
        {props.title} ({props.total})
      </h3>
      {props.customers.length === 0 ? <p class="muted">Nobody.</p> : (
        <ul>
          {props.customers.map((customer) => (
            <li>
              <a href={`/console/customers/${encodeURIComponent(customer.id)}`}>{customer.name}</a>
              {" "}
              <span class="muted">{customer.id}</span>
            </li>
          ))}
        </ul>
      )}
      {more > 0 ? <p class="muted">and {more} more.</p> : null}
    </div>
  );
}
