-- A crashed approval or rework run resumes with its decision: the column
-- deznity_assets/store/schema.py adds to clients (ADDED_COLUMNS), nullable, so every existing row
-- stays valid. SQLite and PostgreSQL databases get it on start.

-- The reviews row (its id) whose decision the next run carries out again, from resume_from: set
-- when a run started by an approval or a rejection crashed (its worker killed), so the retry
-- publishes the approved content, or reworks it, without a second review. NULL otherwise; cleared
-- with resume_from once a run takes the client.
alter table public.clients add column if not exists resume_review varchar(64);

-- claim_pending_clients (20250601000200) returns public.clients rows: resume_review comes back
-- with each claimed row, and the claim leaves it as it is.
