-- A/B experiments on client sites (deznity_assets/experiments/, deznity_assets/store/schema.py experiments,
-- experiment_events, clients.experiments). Written by the site API and the platform with the service_role
-- key; the anon key can neither read nor write them.

-- The client's switch: true/false as text like the other brief fields; null: DEZNITY_EXPERIMENTS decides.
alter table public.clients add column if not exists experiments text;

create table if not exists public.experiments (
    id uuid primary key,
    client_id uuid not null references public.clients (id) on delete cascade,
    slug varchar(64) not null,
    page varchar(200) not null default 'index',
    status varchar(16) not null default 'running',
    started_at timestamptz not null,
    decided_at timestamptz,
    decision varchar(16),
    -- a, b, or none (no difference within the margin)
    winner varchar(8),
    -- The look that decided, as JSON text.
    figures text,
    -- Set by whatever promotes or retires the variant, with what it did.
    acted_at timestamptz,
    outcome text,
    constraint experiments_status_check check (status in ('running', 'decided', 'off'))
);
-- At most one running experiment per client.
create unique index if not exists experiments_one_running_idx on public.experiments (client_id)
    where status = 'running';
create index if not exists experiments_slug_started_idx on public.experiments (slug, started_at);
create index if not exists experiments_pending_idx on public.experiments (status, acted_at);

-- Exposures and conversions, once per experiment, visitor and kind. `visitor` is a keyed hash of the
-- cookie's random id, never the id; no address or user agent is kept.
create table if not exists public.experiment_events (
    seq bigserial primary key,
    experiment_id uuid not null references public.experiments (id) on delete cascade,
    variant varchar(8) not null,
    kind varchar(16) not null,
    visitor varchar(64) not null,
    created_at timestamptz not null,
    constraint experiment_events_kind_check check (kind in ('exposure', 'conversion')),
    constraint experiment_events_variant_check check (variant in ('a', 'b')),
    constraint experiment_events_once unique (experiment_id, visitor, kind)
);
create index if not exists experiment_events_counts_idx on public.experiment_events (experiment_id, kind, variant);

alter table public.experiments enable row level security;
drop policy if exists experiments_service_role_all on public.experiments;
create policy experiments_service_role_all on public.experiments
    for all to service_role using (true) with check (true);
grant select, insert, update, delete on public.experiments to service_role;
revoke all on public.experiments from anon, authenticated;

alter table public.experiment_events enable row level security;
drop policy if exists experiment_events_service_role_all on public.experiment_events;
create policy experiment_events_service_role_all on public.experiment_events
    for all to service_role using (true) with check (true);
grant select, insert, update, delete on public.experiment_events to service_role;
grant usage, select on sequence public.experiment_events_seq_seq to service_role;
revoke all on public.experiment_events from anon, authenticated;

-- One exposure or conversion of a client's running experiment, in one transaction: the first exposure
-- starts the experiment; a conversion counts only for a visitor with an exposure, in the variant shown.
-- Returns one row: the experiment (null: none running, for a conversion), the variant, and whether it
-- counted (false: already counted, or a conversion without an exposure).
create or replace function public.record_experiment_event(
    p_client_id uuid, p_slug text, p_page text, p_variant text, p_kind text, p_visitor text, p_at timestamptz
)
returns table (experiment_id uuid, variant text, counted boolean)
language plpgsql
security invoker
set search_path = public
as $$
declare
    running uuid;
    shown text;
    added integer;
begin
    select e.id into running from public.experiments e where e.client_id = p_client_id and e.status = 'running';
    if running is null then
        if p_kind <> 'exposure' then
            return query select null::uuid, null::text, false;
            return;
        end if;
        insert into public.experiments (id, client_id, slug, page, status, started_at)
        values (gen_random_uuid(), p_client_id, p_slug, p_page, 'running', p_at)
        on conflict do nothing;
        select e.id into running from public.experiments e where e.client_id = p_client_id and e.status = 'running';
        if running is null then
            return query select null::uuid, null::text, false;
            return;
        end if;
    end if;
    shown := p_variant;
    if p_kind = 'conversion' then
        select ev.variant into shown from public.experiment_events ev
        where ev.experiment_id = running and ev.visitor = p_visitor and ev.kind = 'exposure';
        if shown is null then
            return query select running, null::text, false;
            return;
        end if;
    end if;
    insert into public.experiment_events (experiment_id, variant, kind, visitor, created_at)
    values (running, shown, p_kind, p_visitor, p_at)
    on conflict do nothing;
    get diagnostics added = row_count;
    return query select running, shown, added = 1;
end;
$$;
revoke all on function public.record_experiment_event(uuid, text, text, text, text, text, timestamptz)
    from public, anon, authenticated;
grant execute on function public.record_experiment_event(uuid, text, text, text, text, text, timestamptz)
    to service_role;

-- A running experiment's decision and its experiment.decided webhook event in one transaction;
-- one row, recorded true only for the call that recorded it.
create or replace function public.record_experiment_decision(
    p_experiment_id uuid, p_decision text, p_winner text, p_figures text, p_at timestamptz, event jsonb
)
returns table (recorded boolean)
language plpgsql
security invoker
set search_path = public
as $$
declare
    changed integer;
begin
    update public.experiments
    set status = 'decided', decided_at = p_at, decision = p_decision, winner = p_winner, figures = p_figures
    where id = p_experiment_id and status = 'running';
    get diagnostics changed = row_count;
    if changed <> 1 then
        return query select false;
        return;
    end if;
    if event is not null and event <> 'null'::jsonb then
        insert into public.webhook_events (id, client_id, slug, type, payload, done, created_at)
        values (
            (event->>'id')::uuid, event->>'client_id', event->>'slug', event->>'type', event->>'payload',
            coalesce((event->>'done')::boolean, false), (event->>'created_at')::timestamptz
        );
    end if;
    return query select true;
end;
$$;
revoke all on function public.record_experiment_decision(uuid, text, text, text, timestamptz, jsonb)
    from public, anon, authenticated;
grant execute on function public.record_experiment_decision(uuid, text, text, text, timestamptz, jsonb)
    to service_role;

-- Visitors and conversions per experiment and variant, counted by the database (PostgREST does not group).
create or replace function public.experiment_counts(p_ids uuid[])
returns table (experiment_id uuid, variant text, kind text, n bigint)
language sql
stable
security invoker
set search_path = public
as $$
    select ev.experiment_id, ev.variant::text, ev.kind::text, count(*)
    from public.experiment_events ev
    where ev.experiment_id = any (p_ids)
    group by ev.experiment_id, ev.variant, ev.kind;
$$;
revoke all on function public.experiment_counts(uuid[]) from public, anon, authenticated;
grant execute on function public.experiment_counts(uuid[]) to service_role;

-- Slugs whose experiments counted events after a seq, with the last seq seen: the experiment sensor's cursor.
create or replace function public.experiment_activity(p_after bigint, p_limit integer)
returns table (slug text, last_seq bigint)
language sql
stable
security invoker
set search_path = public
as $$
    with recent as (
        select ev.seq, e.slug from public.experiment_events ev
        join public.experiments e on e.id = ev.experiment_id
        where ev.seq > p_after order by ev.seq limit p_limit
    )
    select distinct r.slug::text, (select max(seq) from recent) from recent r;
$$;
revoke all on function public.experiment_activity(bigint, integer) from public, anon, authenticated;
grant execute on function public.experiment_activity(bigint, integer) to service_role;
