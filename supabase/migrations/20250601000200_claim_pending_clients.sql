-- claim_pending_clients(max_count): move up to max_count pending clients to in_progress
-- and return them, oldest first. Rows locked by a concurrent caller are skipped, so each
-- pending row is handed to exactly one caller.

create or replace function public.claim_pending_clients(max_count integer)
returns setof public.clients
language sql
volatile
-- Invoker rights: only a role that may already update clients (service_role) can claim.
security invoker
set search_path = pg_catalog, public
as $$
    -- The candidates are picked once, in a materialized CTE: written as
    -- `WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` the planner may rescan the
    -- subquery per row (nested-loop semi join) and claim more than max_count rows.
    with picked as materialized (
        select p.id
          from public.clients as p
         where p.status = 'pending'
         order by p.created_at, p.id
         limit greatest(coalesce(max_count, 0), 0)
           for update skip locked
    )
    update public.clients as c
       set status = 'in_progress',
           claimed_at = now(),
           updated_at = now(),
           run_id = null,
           last_error = null
      from picked
     where c.id = picked.id
       and c.status = 'pending'
    returning c.*;
$$;

revoke all on function public.claim_pending_clients(integer) from public, anon, authenticated;
grant execute on function public.claim_pending_clients(integer) to service_role;
