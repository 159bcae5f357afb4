-- The webhook outbox (deznity_assets/store/schema.py webhook_events, webhook_deliveries):
-- one event row per client status change, one delivery row per attempt to each endpoint.
-- The platform writes both with the service_role key; see docs/WEBHOOKS.md.

create table if not exists public.webhook_events (
    seq bigserial primary key,
    id uuid not null unique,
    -- No foreign key: a client deleted after a status change still has its event delivered.
    client_id varchar(64),
    slug varchar(64),
    type varchar(40) not null,
    payload text not null,
    done boolean not null default false,
    created_at timestamptz not null
);
-- The delivery pass's query: events not yet done, in order.
create index if not exists webhook_events_done_seq_idx on public.webhook_events (done, seq);

create table if not exists public.webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references public.webhook_events (id) on delete cascade,
    -- The endpoint without secrets: no userinfo, query or Slack token path.
    endpoint text not null,
    attempt integer not null,
    outcome varchar(16) not null,
    status_code integer,
    error text,
    duration_ms integer,
    attempted_at timestamptz not null,
    next_attempt_at timestamptz
);
create index if not exists webhook_deliveries_event_idx on public.webhook_deliveries (event_id);

-- Row level security as for the clients tables: service_role only.
alter table public.webhook_events enable row level security;
alter table public.webhook_deliveries enable row level security;

drop policy if exists webhook_events_service_role_all on public.webhook_events;
create policy webhook_events_service_role_all on public.webhook_events
    for all to service_role using (true) with check (true);

drop policy if exists webhook_deliveries_service_role_all on public.webhook_deliveries;
create policy webhook_deliveries_service_role_all on public.webhook_deliveries
    for all to service_role using (true) with check (true);

grant select, insert, update, delete on public.webhook_events, public.webhook_deliveries to service_role;
grant usage, select on sequence public.webhook_events_seq_seq to service_role;
revoke all on public.webhook_events, public.webhook_deliveries from anon, authenticated;
revoke all on sequence public.webhook_events_seq_seq from anon, authenticated;
