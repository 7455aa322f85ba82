/**
 * The rules that fired for the customer, newest first, each with its
 * explanation: every condition with the fact's value as it was and whether
 * it held. Rule names link to the rule's page.
 */
import { z } from "zod";
import type { FactCatalog, Operator, RuleFiring } from "../../rules/mod.ts";
import { utc } from "./bands.ts";

// What a firing keeps of each condition (engine/rules/compile.ts LeafExplanation).
const conditionSchema = z.object({
  path: z.string(),
  fact: z.string(),
  factPath: z.string().optional(),
  operator: z.string(),
  held: z.boolean().nullable(),
  factValue: z.unknown().optional(),
  value: z.unknown().optional(),
});

const operatorWords: Record<Operator, string> = {
  equal: "is",
  notEqual: "is not",
  lessThan: "is below",
  lessThanInclusive: "is at most",
  greaterThan: "is above",
  greaterThanInclusive: "is at least",
  in: "is one of",
  notIn: "is none of",
  contains: "contains",
  doesNotContain: "does not contain",
};

function shown(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "number") return value.toLocaleString("en", { maximumFractionDigits: 4 });
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The firings section. */
export function FiringsSection(
  props: {
    firings: readonly RuleFiring[];
    more: boolean;
    ruleNames: ReadonlyMap<string, string>;
    catalog: FactCatalog;
  },
) {
  if (props.firings.length === 0) {
    return <p>No rule has fired for this customer yet.</p>;
  }
  return (
    <>
      <ol class="entries firings">
        {props.firings.map((firing) => (
          <li class="entry">
            <p class="entry-head">
              <a href={`/console/rules/${encodeURIComponent(firing.ruleId)}`}>
                {props.ruleNames.get(firing.ruleId) ?? firing.ruleId}
              </a>{" "}
              <span class="muted">
                (version {firing.ruleVersion}) fired {utc(firing.firedAt)} in cycle #
                {firing.cycleId}
              </span>
            </p>
            <ul class="conditions">
              {firing.conditions.map((raw, i) => {
                const parsed = conditionSchema.safeParse(raw);
                if (!parsed.success) return <li key={i}>{JSON.stringify(raw)}</li>;
                const c = parsed.data;
                const fact = props.catalog.get(c.fact);
                const name = `${fact?.description ?? c.fact}${
                  c.factPath ? ` (${c.factPath})` : ""
                }`;
                const verdict = c.held === null ? "not needed" : c.held ? "held" : "did not hold";
                return (
                  <li key={i} class={c.held === null ? "skipped" : c.held ? "held" : "failed"}>
                    <strong>{verdict}</strong>: {name}{" "}
                    {operatorWords[c.operator as Operator] ?? c.operator} {shown(c.value)}
                    {fact?.unit ? ` ${fact.unit}` : ""}
                    {c.held === null ? "" : ` — it was ${shown(c.factValue)}`}{" "}
                    <code class="muted">{c.fact}</code>
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
      {props.more ? <p class="muted">Only the newest {props.firings.length} are shown.</p> : null}
    </>
  );
}
