/**
 * `deno task bench:rules`: the compiled rule evaluator on 25 realistic rules
 * (the 14 default rules and bench/rules/extra_rules.ts) over 100,000
 * customers' facts, next to json-rules-engine with one reused Engine and to
 * the same rules written by hand (bench/rules/hand_written.ts), all in one
 * run. bench/README.md explains it.
 *
 *   --customers N   customers' facts (default 100,000)
 *   --passes N      timed passes over them, compiled and hand-written (default 5)
 *   --sample N      customers json-rules-engine evaluates (default 2,000; it is slow)
 *   --seed N        seed of the facts (default 42)
 *
 * Exits 0 whatever the timings; 1 when the evaluators disagree on any
 * customer (the ratios would then compare different work) or on an error.
 */
import { parseArgs } from "node:util";
import { runCommand, say, warn } from "../cli/output.ts";
import { wholeNumber } from "../cli/flags.ts";
import { EngineError } from "../engine/errors.ts";
import {
  buildFactCatalog,
  type CompilableRule,
  compileRuleSet,
  DEFAULT_RULE_PACKS,
  evaluateWithReference,
  type Firing,
  packFiles,
  readRulePacks,
  validateRuleDefinition,
} from "../engine/rules/mod.ts";
import { defaultMilestoneCatalog } from "../engine/signals/mod.ts";
import { extraRules } from "./rules/extra_rules.ts";
import { customerFacts } from "./rules/facts.ts";
import { handWrittenRuleSet } from "./rules/hand_written.ts";
import { markdownTable, saveFigures } from "./results.ts";

await runCommand(async () => {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      customers: { type: "string", default: "100000" },
      passes: { type: "string", default: "5" },
      sample: { type: "string", default: "2000" },
      seed: { type: "string", default: "42" },
    },
  });
  const customers = wholeNumber("--customers", values.customers, 1, 10_000_000);
  const passes = wholeNumber("--passes", values.passes, 1, 100);
  const sample = Math.min(customers, wholeNumber("--sample", values.sample, 1, 1_000_000));
  const seed = wholeNumber("--seed", values.seed, 0, 2 ** 31);

  const catalog = buildFactCatalog({
    healthComponents: ["engagement", "adoption", "milestones", "support", "billing"],
    milestoneKeys: defaultMilestoneCatalog.map((m) => m.key),
  });
  const packed = [
    ...await readRulePacks(await packFiles(DEFAULT_RULE_PACKS), { catalog }),
    ...extraRules,
  ];
  const rules: CompilableRule[] = packed.map((rule) => ({
    id: rule.id,
    version: 1,
    definition: validateRuleDefinition(rule.definition, { catalog }, [rule.source]),
  }));
  const facts = customerFacts(customers, seed);

  const compiled = compileRuleSet(rules);
  if (compiled.fallback.length > 0) {
    throw new EngineError(
      "INTERNAL",
      `The benchmark's rules must all compile; these fell back: ${
        compiled.fallback.map((f) => f.ruleId).join(", ")
      }`,
    );
  }
  // The compiled set's own firing objects, so both return the same things.
  const firings = rules.map((rule) =>
    compiled.evaluate(alwaysFires(rule)).find((f) => f.ruleId === rule.id)!
  );
  const handWritten = handWrittenRuleSet(firings);

  // Agreement first: the ratios mean something only if all three do the same work.
  warn("Checking that the evaluators agree…");
  let fired = 0;
  for (const [i, customer] of facts.entries()) {
    const firedHere = compiled.evaluate(customer);
    fired += firedHere.length;
    const a = ids(firedHere);
    const b = ids(handWritten(customer));
    if (a !== b) throw disagreement("hand-written", i, a, b);
  }
  for (let i = 0; i < sample; i++) {
    const a = ids(compiled.evaluate(facts[i]!));
    const b = ids(await evaluateWithReference(rules, facts[i]!));
    if (a !== b) throw disagreement("json-rules-engine", i, a, b);
  }

  const time = (label: string, count: number, run: () => void) => {
    warn(`${label}…`);
    run(); // warm-up: let V8 optimize before the clock runs
    const started = performance.now();
    for (let p = 0; p < passes; p++) run();
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: (count * passes) / seconds };
  };
  let sink = 0;
  const compiledRun = time("Compiled evaluator", customers, () => {
    for (const customer of facts) sink += compiled.evaluate(customer).length;
  });
  const handRun = time("Hand-written rules", customers, () => {
    for (const customer of facts) sink += handWritten(customer).length;
  });
  warn("json-rules-engine (one reused Engine)…");
  const referenceStarted = performance.now();
  for (let i = 0; i < sample; i++) sink += (await evaluateWithReference(rules, facts[i]!)).length;
  const referenceSeconds = (performance.now() - referenceStarted) / 1000;
  const reference = { seconds: referenceSeconds, perSecond: sample / referenceSeconds };
  if (sink < 0) say("impossible"); // keeps the loops from being optimized away

  const speedup = compiledRun.perSecond / reference.perSecond;
  const handRatio = handRun.perSecond / compiledRun.perSecond;
  const rows: Array<[string, string]> = [
    ["rules", `${rules.length} (14 default, ${extraRules.length} more)`],
    ["customers", `${int(customers)} · ${int(fired)} firings in one pass`],
    [
      "compiled evaluator",
      `${int(compiledRun.perSecond)} customer-evaluations/s (${passes} passes)`,
    ],
    ["hand-written JavaScript", `${int(handRun.perSecond)} customer-evaluations/s`],
    [
      "json-rules-engine, one reused Engine",
      `${int(reference.perSecond)} customer-evaluations/s (${int(sample)} customers)`,
    ],
    ["**compiled ÷ json-rules-engine**", `**${speedup.toFixed(0)}×**`],
    ["**hand-written ÷ compiled**", `**${handRatio.toFixed(2)}×**`],
    [
      "agreement",
      `all ${int(customers)} customers with the hand-written rules, ${
        int(sample)
      } with json-rules-engine`,
    ],
    ["target: ≥ 1,000,000 customer-evaluations/s", verdict(compiledRun.perSecond >= 1_000_000)],
    ["target: ≥ 100× json-rules-engine", verdict(speedup >= 100)],
    ["target: within 4× of hand-written", verdict(handRatio <= 4)],
  ];
  say(
    `\nRule evaluation benchmark, ${
      new Date().toISOString()
    }: ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}\n`,
  );
  for (const line of markdownTable(rows)) say(line);
  const file = await saveFigures("rules_eval", {
    date: new Date().toISOString(),
    rules: rules.length,
    customers,
    passes,
    sample,
    seed,
    firingsPerPass: fired,
    compiled: compiledRun,
    handWritten: handRun,
    reference,
    speedup,
    handRatio,
  });
  warn(`\nFigures saved to ${file}`);
});

/** Facts that make `rule` fire, to get its firing object from the compiled set. */
function alwaysFires(rule: CompilableRule): Record<string, unknown> {
  const single = compileRuleSet([rule]);
  for (const candidate of customerFacts(20_000, 7)) {
    if (single.evaluate(candidate).length > 0) return candidate;
  }
  throw new EngineError("INTERNAL", `No generated customer fires ${rule.id}; adjust the facts`);
}

function ids(firings: readonly Firing[]): string {
  return firings.map((f) => f.ruleId).join(",");
}

function disagreement(other: string, i: number, compiled: string, theirs: string): EngineError {
  return new EngineError(
    "INTERNAL",
    `Customer ${i}: the compiled evaluator fired [${compiled}], ${other} [${theirs}]`,
  );
}

function int(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function verdict(met: boolean): string {
  return met ? "met" : "not met";
}
