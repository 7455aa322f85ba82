-- Indexes for the churn stage's reads and writes (bench/README.md, "Churn
-- prediction").
--
-- Events cost less to write. No reader looks events up by type alone: the
-- plugin hub reads the log in position order (idx_event_log_position) with
-- its plugins' types as a filter, the API by customer or by id. The index by
-- (type, id) cost every event a btree insert, a fifth of the time COPY takes
-- to write a churn stage's events.
drop index if exists idx_event_log_type;

-- The milestones_achieved feature counts a batch's achieved milestones up to
-- the as-of time: from this index alone (an index-only scan), where the
-- index by (customer_id, achieved) made it visit every milestone's row, a
-- sixth of the features statement's time.
create index if not exists idx_milestones_achieved_at on success_milestones (customer_id, achieved_at)
  where achieved;
