/**
 * The viral plugin's part of privacy requests: the customer's referrals and
 * referral asks. Erasing deletes what the customer referred and was asked;
 * a referral that made the customer a customer stays with another referrer,
 * re-keyed to the pseudonym, so that referrer's viral coefficient and boost
 * stay right without naming the person.
 */
import type { Db } from "../../engine/db/mod.ts";
import type { PluginErasedRows, PluginRowsByTable } from "../../engine/plugins/mod.ts";

/** The customer's rows in viral_referrals (made or converted) and viral_asks. */
export async function exportReferralData(db: Db, customerId: string): Promise<PluginRowsByTable> {
  return {
    viral_referrals: await db.query(
      `select * from viral_referrals where referrer_id = $1 or converted_customer_id = $1
       order by occurred_at, id`,
      [customerId],
    ),
    viral_asks: await db.query(
      "select * from viral_asks where customer_id = $1 order by asked_at",
      [customerId],
    ),
  };
}

/** Erases the customer from the plugin's tables, in one transaction. */
export function eraseReferralData(
  db: Db,
  request: { customerId: string; pseudonym: string },
): Promise<PluginErasedRows> {
  const { customerId, pseudonym } = request;
  return db.transaction(async (tx) => {
    const asks = await tx.query(
      "delete from viral_asks where customer_id = $1 returning 1",
      [customerId],
    );
    const made = await tx.query(
      "delete from viral_referrals where referrer_id = $1 returning 1",
      [customerId],
    );
    // The referrer's boost says whom it referred.
    const boosts = await tx.query(
      `update health_boosts b set reason = replace(b.reason, '"' || $1 || '"', '"' || $2 || '"')
       from viral_referrals r
       where b.source = 'viral' and b.boost_key = r.id and r.converted_customer_id = $1
       returning 1`,
      [customerId, pseudonym],
    );
    const converted = await tx.query(
      `update viral_referrals set converted_customer_id = $2
       where converted_customer_id = $1 returning 1`,
      [customerId, pseudonym],
    );
    return {
      viral_asks: asks.length,
      viral_referrals: made.length + converted.length,
      health_boosts: boosts.length,
    };
  });
}
