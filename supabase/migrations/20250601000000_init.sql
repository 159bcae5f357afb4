-- Deznity clients store: the tables of deznity_assets/store/schema.py, column for column.
-- Apply with `supabase db push` or paste into the Supabase SQL editor, in file-name order.

create table if not exists public.clients (
    id uuid primary key default gen_random_uuid(),
    slug varchar(64) unique,
    -- Brief fields stay plain text so a row typed into the table editor can hold
    -- anything; the platform validates them when it claims the row.
    business_name text,
    industry text,
    goal text,
    color text,
    logo_url text,
    copy_tone text,
    target_geo text,
    pages text,
    budget text,
    language text,
    status varchar(16) not null default 'pending',
    attempt integer not null default 1,
    last_error text,
    run_id varchar(64),
    claimed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint clients_status_check check (status in ('pending', 'in_progress', 'completed', 'failed'))
);

-- The sensor's query: pending rows, oldest first.
create index if not exists clients_status_created_idx on public.clients (status, created_at);

create table if not exists public.projects (
    id uuid primary key default gen_random_uuid(),
    client_id uuid not null references public.clients (id) on delete cascade,
    run_id varchar(64) not null unique,
    attempt integer not null,
    status varchar(16) not null,
    phase varchar(40),
    blockers text,
    next_actions text,
    qa_score double precision,
    tokens integer,
    cost_usd double precision,
    started_at timestamptz not null,
    finished_at timestamptz
);
create index if not exists projects_client_idx on public.projects (client_id);

create table if not exists public.project_tasks (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references public.projects (id) on delete cascade,
    phase varchar(40) not null,
    agent varchar(40) not null,
    task text not null,
    status varchar(16) not null,
    output_path text,
    started_at timestamptz not null,
    finished_at timestamptz
);
create index if not exists project_tasks_project_idx on public.project_tasks (project_id);

create table if not exists public.agent_activities (
    id uuid primary key default gen_random_uuid(),
    project_id uuid references public.projects (id) on delete cascade,
    client_id uuid not null references public.clients (id) on delete cascade,
    agent varchar(40) not null,
    action text not null,
    phase varchar(40),
    duration_ms integer,
    provider varchar(40),
    model varchar(120),
    tokens_in integer,
    tokens_out integer,
    cost_usd double precision,
    details text,
    created_at timestamptz not null default now()
);
create index if not exists agent_activities_client_idx on public.agent_activities (client_id);

-- updated_at follows every change, including edits made by hand in the table editor.
create or replace function public.set_updated_at() returns trigger
language plpgsql
set search_path = pg_catalog, public
as $$
begin
    new.updated_at = now();
    return new;
end;
$$;

drop trigger if exists clients_set_updated_at on public.clients;
create trigger clients_set_updated_at
    before update on public.clients
    for each row execute function public.set_updated_at();
