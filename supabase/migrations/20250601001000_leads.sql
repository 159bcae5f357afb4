-- Leads: what visitors send through the forms of a client's published site (deznity_assets/site_api/,
-- deznity_assets/store/schema.py leads). Written by the site API with the service_role key; the anon
-- key can neither read nor write them (they hold visitors' names, e-mails and messages).

create table if not exists public.leads (
    id uuid primary key,
    client_id uuid not null references public.clients (id) on delete cascade,
    slug varchar(64) not null,
    form varchar(40) not null,
    fields text not null,
    -- The experiment variant the visitor saw, when one ran.
    variant varchar(16),
    spam boolean not null default false,
    spam_reason varchar(40),
    -- A keyed hash of the visitor's address that rotates daily, never the address.
    visitor varchar(64),
    created_at timestamptz not null,
    -- The e-mail outbox: null until sent (sent), no address (none) or given up (failed).
    mail_state varchar(16),
    mail_attempts integer not null default 0,
    mail_error text
);
create index if not exists leads_client_created_idx on public.leads (client_id, created_at);
create index if not exists leads_created_idx on public.leads (created_at);
create index if not exists leads_mail_idx on public.leads (mail_state, spam);

alter table public.leads enable row level security;
drop policy if exists leads_service_role_all on public.leads;
create policy leads_service_role_all on public.leads
    for all to service_role using (true) with check (true);
grant select, insert, update, delete on public.leads to service_role;
revoke all on public.leads from anon, authenticated;

-- A lead and its lead.received webhook event in one transaction: an acknowledged lead is always
-- announced, and an announced one always stored.
create or replace function public.record_lead(lead jsonb, event jsonb)
returns void
language plpgsql
security invoker
set search_path = public
as $$
begin
    insert into public.leads (id, client_id, slug, form, fields, variant, spam, spam_reason, visitor, created_at)
    values (
        (lead->>'id')::uuid, (lead->>'client_id')::uuid, lead->>'slug', lead->>'form', lead->>'fields',
        lead->>'variant', coalesce((lead->>'spam')::boolean, false), lead->>'spam_reason', lead->>'visitor',
        (lead->>'created_at')::timestamptz
    );
    if event is not null and event <> 'null'::jsonb then
        insert into public.webhook_events (id, client_id, slug, type, payload, done, created_at)
        values (
            (event->>'id')::uuid, event->>'client_id', event->>'slug', event->>'type', event->>'payload',
            coalesce((event->>'done')::boolean, false), (event->>'created_at')::timestamptz
        );
    end if;
end;
$$;
revoke all on function public.record_lead(jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.record_lead(jsonb, jsonb) to service_role;
