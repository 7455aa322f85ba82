/** The values the audit log's filters can take, for the console's suggestions. */
import type { Queryable } from "../db/mod.ts";

/** Distinct actors, actions and subject types, sorted. */
export interface AuditFacets {
  actors: string[];
  actions: string[];
  subjectTypes: string[];
}

/** The distinct filter values in the log (at most 200 of each). */
export async function auditFacets(db: Queryable): Promise<AuditFacets> {
  const rows = await db.query<{ facet: string; value: string }>(
    `(select 'actor' as facet, actor as value from audit_log group by actor
       order by max(id) desc limit 200)
     union all
     (select 'action', action from audit_log group by action order by action limit 200)
     union all
     (select 'subject', subject_type from audit_log group by subject_type
       order by subject_type limit 200)`,
  );
  const of = (facet: string) => rows.filter((r) => r.facet === facet).map((r) => r.value).sort();
  return { actors: of("actor"), actions: of("action"), subjectTypes: of("subject") };
}
