-- Scoring writes less per cycle. A cycle logs every customer's prediction
-- once a day and otherwise only those that changed, and updates a latest
-- prediction only when it changed (engine/ml/predict_batch.ts). What each
-- row still costs to write is cut here:
-- - the log keeps one index, by customer and time (the prediction history
--   and the as-of lookups of rules); its surrogate id and time index served
--   no reader, and retention drops whole month partitions;
-- - the log's top five contributions are three arrays (feature, value,
--   contribution), not a jsonb document: COPY reads them in less than half
--   the time (bench/README.md); churn_contributions() gives the document;
-- - the latest predictions keep no copy of the contributions (a reader takes
--   them from the log row of the same customer and time, which every changed
--   prediction has), lose the index by probability (no reader) and leave
--   room on each page, so an update is a heap-only tuple update that touches
--   no index;
-- - and they lose the foreign key to customers, whose check cost as much as
--   the insert itself (12 µs a row, bench/README.md): like the log and
--   usage_events, rows are removed with their customer by whatever erases it.
alter table churn_prediction_logs drop column id;

alter table churn_prediction_logs
  add column top_features text[],
  add column top_values float8[],
  add column top_contributions float8[];
update churn_prediction_logs set
  top_features = array(select c ->> 'feature'
    from jsonb_array_elements(contributions) with ordinality as t(c, i) order by i),
  top_values = array(select (c ->> 'value')::float8
    from jsonb_array_elements(contributions) with ordinality as t(c, i) order by i),
  top_contributions = array(select (c ->> 'contribution')::float8
    from jsonb_array_elements(contributions) with ordinality as t(c, i) order by i);
alter table churn_prediction_logs
  alter column top_features set not null,
  alter column top_values set not null,
  alter column top_contributions set not null,
  drop column contributions;

-- The contributions of a log row as the API shows them: [{feature, value, contribution}].
create function churn_contributions(features text[], "values" float8[], contributions float8[])
returns jsonb language sql immutable as $$
  select coalesce(jsonb_agg(jsonb_build_object('feature', f, 'value', v, 'contribution', c)
    order by i), '[]')
  from unnest(features, "values", contributions) with ordinality as t(f, v, c, i)
$$;
drop index idx_predictions_created;
drop index idx_churn_latest_probability;
alter table churn_predictions_latest drop column contributions;
alter table churn_predictions_latest drop constraint churn_predictions_latest_customer_id_fkey;
alter table churn_predictions_latest set (fillfactor = 80);
