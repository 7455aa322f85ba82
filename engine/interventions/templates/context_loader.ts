/**
 * One customer's rendering context, for previews and test sends: the same
 * assembly delivery uses for a batch (engine/interventions/context.ts).
 */
import type { Queryable } from "../../db/mod.ts";
import { customerNotFound } from "../../signals/mod.ts";
import { contextFromRow, type ContextOptions, loadContextRows } from "../context.ts";
import type { TemplateContext } from "../template_context.ts";

export { type ContextOptions, DEFAULT_LOCALE, SUCCESS_TEAM } from "../context.ts";

/** The context for customer `customerId` at `now`; CUSTOMER_NOT_FOUND if there is none. */
export async function loadTemplateContext(
  db: Queryable,
  customerId: string,
  options: ContextOptions & { now: Date },
): Promise<TemplateContext> {
  const row = (await loadContextRows(db, [customerId], options.now)).get(customerId);
  if (!row) throw customerNotFound(customerId);
  return contextFromRow(row, options);
}
