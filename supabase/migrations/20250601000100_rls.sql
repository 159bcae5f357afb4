-- Row level security: the platform (service_role key) may do everything, the public
-- anon key and signed-in users nothing. Briefs hold client data; never expose them.

alter table public.clients enable row level security;
alter table public.projects enable row level security;
alter table public.project_tasks enable row level security;
alter table public.agent_activities enable row level security;

drop policy if exists clients_service_role_all on public.clients;
create policy clients_service_role_all on public.clients
    for all to service_role using (true) with check (true);

drop policy if exists projects_service_role_all on public.projects;
create policy projects_service_role_all on public.projects
    for all to service_role using (true) with check (true);

drop policy if exists project_tasks_service_role_all on public.project_tasks;
create policy project_tasks_service_role_all on public.project_tasks
    for all to service_role using (true) with check (true);

drop policy if exists agent_activities_service_role_all on public.agent_activities;
create policy agent_activities_service_role_all on public.agent_activities
    for all to service_role using (true) with check (true);

-- Supabase grants every new table to anon and authenticated by default; take that back
-- so a leaked anon key cannot even read the shape of the data.
grant usage on schema public to service_role;
grant select, insert, update, delete on public.clients, public.projects, public.project_tasks,
    public.agent_activities to service_role;
revoke all on public.clients, public.projects, public.project_tasks, public.agent_activities
    from anon, authenticated;
