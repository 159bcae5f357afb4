-- Human review of regulated sectors (health, legal, finance): a regulated client's package
-- waits in the new status needs_review until a person decides, as a row of public.reviews
-- (deznity_assets/store/schema.py STATUSES and reviews, column for column).

-- The status list of deznity_assets/store/schema.py STATUSES, in the same order. Every row the
-- old check allowed is still allowed, so re-adding it fails no row.
alter table public.clients drop constraint if exists clients_status_check;
alter table public.clients add constraint clients_status_check
    check (status in ('pending', 'in_progress', 'completed', 'failed', 'needs_review'));

-- claim_pending_clients (20250601000200) takes only 'pending' rows: a client in needs_review
-- stays where it is until a decision moves it (claim_reviewed: status = 'needs_review' only).

-- One row per decision. A reviewer typing into the table editor gives client_id, attempt,
-- decision, reviewer and reason; id and decided_at default. The platform acts on each row
-- once: applied_at, applied_run and outcome say when, in which run and what it did.
create table if not exists public.reviews (
    id uuid primary key default gen_random_uuid(),
    client_id uuid not null references public.clients (id) on delete cascade,
    -- The attempt the decision is about: a decision on an older version is not applied to a newer one.
    attempt integer not null,
    decision varchar(16) not null,
    reviewer text not null,
    reason text not null default '',
    -- The step a rejection re-runs from; NULL means the default step.
    rework varchar(40),
    decided_at timestamptz not null default now(),
    applied_at timestamptz,
    applied_run varchar(64),
    outcome text,
    constraint reviews_decision_check check (decision in ('approved', 'rejected'))
);
-- The review sensor's query: decisions not yet acted on, oldest first.
create index if not exists reviews_applied_decided_idx on public.reviews (applied_at, decided_at);
create index if not exists reviews_client_idx on public.reviews (client_id);

-- Row level security as for the clients tables: service_role only. Reviewers who type
-- decisions into the Supabase table editor act as the dashboard's role (postgres), which
-- owns the table and is not bound by these policies; anon and signed-in users get nothing.
alter table public.reviews enable row level security;

drop policy if exists reviews_service_role_all on public.reviews;
create policy reviews_service_role_all on public.reviews
    for all to service_role using (true) with check (true);

grant select, insert, update, delete on public.reviews to service_role;
revoke all on public.reviews from anon, authenticated;
