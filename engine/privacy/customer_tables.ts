/**
 * Every engine table that holds rows about a customer (migrations 0001–0024),
 * what an access export reads from it, and what a deletion does to it:
 *
 * - `delete`: rows only about the person (events, messages, logs) go;
 * - `pseudonymize`: rows that feed aggregates (health history, daily usage,
 *   predictions, interventions and their effects) stay under a random
 *   pseudonym (`erased_<uuid>`) with their personal fields cleared, so the
 *   success metrics, ROI and churn training still count them.
 *
 * Plugin tables are the plugins' own (their privacy hooks); a test scans every
 * text and jsonb column after a deletion, so a table missed here shows.
 * Field encryption: these are plain reads of stored values; where a column is
 * encrypted, the export decrypts it here (exportCustomerRows).
 */

/** One table, its export query ($1: the customer id) and its erase statement ($1 id, $2 pseudonym). */
export interface CustomerTable {
  table: string;
  export: string;
  action: "delete" | "pseudonymize";
  /** Runs in the deletion's transaction; returns the rows it touched (`returning 1`). */
  erase: string;
}

const byCustomer = (table: string, order = "") =>
  `select * from ${table} where customer_id = $1${order ? ` order by ${order}` : ""}`;

const ofInterventions = (table: string) =>
  `select t.* from ${table} t join success_interventions i on i.id = t.intervention_id
   where i.customer_id = $1 order by t.intervention_id`;

/**
 * In erase order: rows that point at others first. The customers row itself is
 * handled by the deletion (a pseudonymous copy, then the original deleted).
 */
export const customerTables: readonly CustomerTable[] = [
  {
    table: "usage_events",
    export: byCustomer("usage_events", "occurred_at, event_id"),
    action: "delete",
    erase: "delete from usage_events where customer_id = $1 returning 1",
  },
  {
    table: "usage_event_ids",
    export: byCustomer("usage_event_ids", "occurred_at, event_id"),
    action: "delete",
    erase: "delete from usage_event_ids where customer_id = $1 returning 1",
  },
  {
    table: "usage_daily",
    export: byCustomer("usage_daily", "day"),
    action: "pseudonymize",
    erase: "update usage_daily set customer_id = $2 where customer_id = $1 returning 1",
  },
  {
    table: "success_milestones",
    export: byCustomer("success_milestones", "milestone_key"),
    action: "pseudonymize",
    erase: `update success_milestones set customer_id = $2, user_id = null
            where customer_id = $1 returning 1`,
  },
  {
    table: "customer_health",
    export: byCustomer("customer_health", "scored_at"),
    action: "pseudonymize",
    erase: "update customer_health set customer_id = $2 where customer_id = $1 returning 1",
  },
  {
    table: "customer_health_latest",
    export: byCustomer("customer_health_latest"),
    action: "delete",
    erase: "delete from customer_health_latest where customer_id = $1 returning 1",
  },
  {
    table: "churn_prediction_logs",
    export: byCustomer("churn_prediction_logs", "predicted_at"),
    action: "pseudonymize",
    erase: "update churn_prediction_logs set customer_id = $2 where customer_id = $1 returning 1",
  },
  {
    table: "churn_predictions_latest",
    export: byCustomer("churn_predictions_latest"),
    action: "delete",
    erase: "delete from churn_predictions_latest where customer_id = $1 returning 1",
  },
  {
    // What each rule saw (facts) is personal: the firings go; interventions keep the rule id.
    table: "rule_firings",
    export: byCustomer("rule_firings", "id"),
    action: "delete",
    erase: "delete from rule_firings where customer_id = $1 returning 1",
  },
  {
    table: "intervention_outbox",
    export: ofInterventions("intervention_outbox"),
    action: "delete",
    erase: `delete from intervention_outbox o using success_interventions i
            where i.id = o.intervention_id and i.customer_id = $1 returning 1`,
  },
  {
    // Opens and clicks stay counted; their detail (links, user agents) goes.
    table: "intervention_outcomes",
    export: ofInterventions("intervention_outcomes"),
    action: "pseudonymize",
    erase: `update intervention_outcomes o set detail = '{}' from success_interventions i
            where i.id = o.intervention_id and i.customer_id = $1 returning 1`,
  },
  {
    table: "intervention_effects",
    export: ofInterventions("intervention_effects"),
    action: "pseudonymize",
    // Numbers only; they follow their intervention's pseudonym.
    erase: `select 1 from intervention_effects e join success_interventions i
            on i.id = e.intervention_id where i.customer_id = $1`,
  },
  {
    // The idempotency key holds the customer id; the provider's id and the last error can
    // hold an address.
    table: "success_interventions",
    export: byCustomer("success_interventions", "id"),
    action: "pseudonymize",
    erase: `update success_interventions set customer_id = $2,
              idempotency_key = 'erased:' || id, provider_message_id = null, last_error = null
            where customer_id = $1 returning 1`,
  },
  {
    table: "in_app_messages",
    export: byCustomer("in_app_messages", "id"),
    action: "delete",
    erase: "delete from in_app_messages where customer_id = $1 returning 1",
  },
  {
    table: "channel_unsubscribes",
    export: byCustomer("channel_unsubscribes", "channel"),
    action: "delete",
    erase: "delete from channel_unsubscribes where customer_id = $1 returning 1",
  },
  {
    table: "template_test_sends",
    export: byCustomer("template_test_sends", "id"),
    action: "delete",
    erase: "delete from template_test_sends where customer_id = $1 returning 1",
  },
  {
    table: "health_boosts",
    export: byCustomer("health_boosts", "valid_from"),
    action: "delete",
    erase: "delete from health_boosts where customer_id = $1 returning 1",
  },
  {
    // A shard's boundaries are customer ids. No cycle runs during a deletion (it waits), so
    // these are finished cycles' records, where the pseudonym does as well.
    table: "cycle_shards",
    export: `select cycle_id, stage, shard, after_id, last_id from cycle_shards
             where after_id = $1 or last_id = $1 order by cycle_id, stage, shard`,
    action: "pseudonymize",
    erase: `update cycle_shards
            set after_id = case when after_id = $1 then $2 else after_id end,
              last_id = case when last_id = $1 then $2 else last_id end
            where after_id = $1 or last_id = $1 returning 1`,
  },
  {
    // Dead letters and redeliveries of the customer's events go with them.
    table: "event_hub_dead_letters",
    export: `select d.* from event_hub_dead_letters d join event_log e on e.id = d.event_id
             where e.customer_id = $1 order by d.id`,
    action: "delete",
    erase: `delete from event_hub_dead_letters d using event_log e
            where e.id = d.event_id and e.customer_id = $1 returning 1`,
  },
  {
    table: "event_log",
    export: byCustomer("event_log", "id"),
    action: "delete",
    erase: "delete from event_log where customer_id = $1 returning 1",
  },
];
