-- Reserved: migration 0025 belongs to the PII field encryption work, built on
-- another branch. This placeholder only keeps the numbering without gaps on
-- the privacy-requests branch (0026); delete it when that branch's 0025 is merged.
select 1;
