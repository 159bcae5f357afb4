-- Webhook delivery state per endpoint (deznity_assets/store/schema.py webhook_endpoints,
-- webhook_endpoint_events), so that an endpoint that is down delays only itself: each endpoint has
-- its own queue of events, in order per client, and events it gave up stay there to be sent again
-- (`deznity webhooks redeliver`). Endpoints are named without their secrets; see docs/WEBHOOKS.md.

create table if not exists public.webhook_endpoints (
    endpoint text primary key,
    -- The seq of the newest event taken into this endpoint's queue.
    queued_through bigint not null default 0,
    failing_since timestamptz,
    last_error text,
    -- The backlog as the last delivery pass counted it.
    waiting integer not null default 0,
    given_up integer not null default 0,
    checked_at timestamptz
);

create table if not exists public.webhook_endpoint_events (
    endpoint text not null,
    event_id uuid not null references public.webhook_events (id) on delete cascade,
    seq bigint not null,
    -- open (owed: not tried yet or to retry) | delivered | gave_up (kept to be sent again)
    state varchar(16) not null,
    attempts integer not null default 0,
    next_attempt_at timestamptz,
    updated_at timestamptz not null,
    primary key (endpoint, event_id)
);
-- The delivery pass's query (an endpoint's open events in order), the backlog counts and redeliver.
create index if not exists webhook_endpoint_events_state_idx
    on public.webhook_endpoint_events (endpoint, state, seq);

-- Row level security as for the other webhook tables: service_role only.
alter table public.webhook_endpoints enable row level security;
alter table public.webhook_endpoint_events enable row level security;

drop policy if exists webhook_endpoints_service_role_all on public.webhook_endpoints;
create policy webhook_endpoints_service_role_all on public.webhook_endpoints
    for all to service_role using (true) with check (true);

drop policy if exists webhook_endpoint_events_service_role_all on public.webhook_endpoint_events;
create policy webhook_endpoint_events_service_role_all on public.webhook_endpoint_events
    for all to service_role using (true) with check (true);

grant select, insert, update, delete on public.webhook_endpoints, public.webhook_endpoint_events to service_role;
revoke all on public.webhook_endpoints, public.webhook_endpoint_events from anon, authenticated;
