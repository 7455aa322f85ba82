-- Reserved: migration 0026 belongs to the privacy requests work, built on
-- another branch. This placeholder, with 0025's, only keeps the numbering
-- without gaps on the console branch (0027); delete both when those branches'
-- migrations are merged.
select 1;
