-- Identifiers compare byte by byte (collation "C"). With the database's
-- default collation (C.UTF-8 here, a language elsewhere) every index
-- comparison of an id went through strcoll: a fifth of PostgreSQL's time
-- when ingesting events (bench/README.md, "API load"). Byte order is the
-- order C.UTF-8 gave, so lists sorted by id do not change; names and other
-- text people read keep the database's collation.
alter table customers
  alter column id type text collate "C",
  alter column external_id type text collate "C";
alter table usage_events
  alter column event_id type text collate "C",
  alter column customer_id type text collate "C",
  alter column type type text collate "C",
  alter column user_id type text collate "C";
alter table usage_event_ids
  alter column event_id type text collate "C",
  alter column customer_id type text collate "C";
alter table milestone_definitions
  alter column key type text collate "C",
  alter column event_type type text collate "C";
alter table success_milestones
  alter column customer_id type text collate "C",
  alter column milestone_key type text collate "C",
  alter column user_id type text collate "C";
alter table health_models alter column version type text collate "C";
alter table customer_health
  alter column customer_id type text collate "C",
  alter column model_version type text collate "C";
alter table customer_health_latest
  alter column customer_id type text collate "C",
  alter column model_version type text collate "C";
alter table event_log
  alter column type type text collate "C",
  alter column customer_id type text collate "C";
alter table api_tokens alter column token_hash type text collate "C";
alter table audit_log
  alter column subject_type type text collate "C",
  alter column subject_id type text collate "C",
  alter column hash type text collate "C";

-- Changing a column's type drops its statistics; without them the planner
-- chose scans that made ingestion eight times slower until autovacuum came by.
analyze customers, usage_events, usage_event_ids, milestone_definitions, success_milestones,
  health_models, customer_health, customer_health_latest, event_log, api_tokens, audit_log;
