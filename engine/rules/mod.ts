/**
 * Rules: json-rules-engine's JSON format with our metadata, the fact catalog
 * rules are checked against when saved, drafts and published versions, and
 * the compiled evaluator that gives json-rules-engine's results without its
 * cost (and, as they land, simulation and evaluation cycles).
 *
 * @example
 * ```ts
 * const catalog = await loadFactCatalog(db);
 * const definition = validateRuleDefinition(body, { catalog });
 * ```
 */
export {
  channels,
  type Condition,
  interventionParamsSchema,
  type Operator,
  operators,
  type RuleDefinition,
  ruleDefinitionSchema,
  ruleIdSchema,
  ruleTagSchema,
} from "./rule_schema.ts";
export {
  buildFactCatalog,
  type FactCatalog,
  type FactDefinition,
  type FactSource,
  type FactType,
} from "./facts.ts";
export { loadFactCatalog } from "./fact_catalog_store.ts";
export {
  MAX_COMPARISONS,
  MAX_CONDITION_DEPTH,
  MAX_RULE_BYTES,
  operatorsFor,
  type RuleContext,
  validateRuleDefinition,
} from "./validate.ts";
export { didYouMean } from "./did_you_mean.ts";
export {
  archiveRule,
  createRule,
  getRule,
  listRules,
  listRuleVersions,
  publishRule,
  rollbackRule,
  type RuleMetadata,
  updateRuleDraft,
} from "./store.ts";
export { RULES, type RuleSnapshot, type RuleVersion, type RuleView } from "./rule_kind.ts";
export { type JsonChange, jsonDiff } from "./diff.ts";
export {
  type CompilableRule,
  type CompiledRuleSet,
  compileRuleSet,
  type Firing,
  type LeafExplanation,
  type RuleExplanation,
} from "./compile.ts";
export { evaluateWithReference } from "./reference.ts";
export {
  DEFAULT_RULE_PACKS,
  type ImportResult,
  importRules,
  installDefaultRules,
  type PackedRule,
  packFiles,
  readRulePacks,
} from "./packs.ts";
export { type CustomerFacts, type ExtraFacts, loadCustomerFacts } from "./customer_facts.ts";
export { daysUntilPeakSeason } from "./season.ts";
export { holdoutPosition } from "./holdout.ts";
export {
  FIRING_COLUMNS,
  loadPinnedRules,
  loadPublishedRules,
  type PinnedRuleSet,
  ruleBatchEvaluator,
  type RuleBatchResult,
} from "./evaluate_cycle.ts";
export { type DisabledRule, recordRuleFailures } from "./failure_streaks.ts";
export { listCustomerFirings, type RuleFiring } from "./firings.ts";
export {
  type CustomerSimulation,
  type DraftRule,
  type PopulationSimulation,
  type RuleImpact,
  simulateCustomer,
  simulatePopulation,
} from "./simulate.ts";
export {
  approvalsRequired,
  approvePublish,
  listChangeRequests,
  rejectPublish,
  requestPublish,
  type RuleChangeRequest,
  setApprovalsRequired,
} from "./approvals.ts";
