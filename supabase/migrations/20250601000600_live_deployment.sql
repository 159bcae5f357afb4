-- Live deployment (Vercel, Netlify) and retries that resume: the columns
-- deznity_assets/store/schema.py adds to clients and projects (ADDED_COLUMNS), all nullable,
-- so every existing row stays valid. SQLite and PostgreSQL databases get them on start.

-- The step `deznity retry` resumes a failed client from (that step and every later one; the
-- earlier deliverables are read from storage); NULL: the next run makes everything. Cleared
-- once a run takes the client.
alter table public.clients add column if not exists resume_from varchar(40);

-- Where a run published the site live, and hero B's preview deployment beside it.
alter table public.projects add column if not exists live_url text;
alter table public.projects add column if not exists preview_url text;

-- claim_pending_clients (20250601000200) returns public.clients rows: resume_from comes back
-- with each claimed row, and the claim leaves it as it is.
