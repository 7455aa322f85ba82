/**
 * Who is never sent: a churned customer (`customers.churned_at` set) and a
 * customer who unsubscribed (`channel_unsubscribes`, written by the
 * unsubscribe link of every intervention, or by engine/interventions'
 * `unsubscribe()` with the channel `marketing`). Checked when an event is
 * queued and again when its batch is posted, since a customer can churn or
 * unsubscribe in between.
 */

/** Why a customer may not be sent. */
export type SuppressionReason = "churned" | "unsubscribed";

/**
 * SQL for why the customer row `alias` may not be sent ('churned',
 * 'unsubscribed') or null; `channels` is the parameter (`$2`) holding the
 * unsubscribed channels that count, where '*' is any channel.
 */
export function suppressionReasonSql(alias: string, channels: string): string {
  return `case
    when ${alias}.churned_at is not null then 'churned'
    when exists (
      select 1 from channel_unsubscribes u
      where u.customer_id = ${alias}.id
        and ('*' = any(${channels}::text[]) or u.channel = any(${channels}::text[]))
    ) then 'unsubscribed'
  end`;
}
