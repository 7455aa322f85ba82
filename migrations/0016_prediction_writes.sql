-- Scoring writes less per cycle. A cycle logs every customer's prediction
-- once a day and otherwise only those that changed, and updates a latest
-- prediction only when it changed (engine/ml/predict_batch.ts). What each
-- row still costs to write is cut here:
-- - the log keeps one index, by customer and time (the prediction history
--   and the as-of lookups of rules); its surrogate id and time index served
--   no reader, and retention drops whole month partitions;
-- - the latest predictions keep no copy of the contributions (a reader takes
--   them from the log row of the same customer and time, which every changed
--   prediction has), lose the index by probability (no reader) and leave
--   room on each page, so an update is a heap-only tuple update that touches
--   no index;
-- - and they lose the foreign key to customers, whose check cost as much as
--   the insert itself (12 µs a row, bench/README.md): like the log and
--   usage_events, rows are removed with their customer by whatever erases it.
alter table churn_prediction_logs drop column id;
drop index idx_predictions_created;
drop index idx_churn_latest_probability;
alter table churn_predictions_latest drop column contributions;
alter table churn_predictions_latest drop constraint churn_predictions_latest_customer_id_fkey;
alter table churn_predictions_latest set (fillfactor = 80);
