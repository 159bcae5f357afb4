-- A client's slug becomes its Dagster partition key and the names of its files
-- (output/<slug>/, storage/deliverables/<asset>/<slug>.json): only the shape the platform
-- makes itself is allowed (deznity_assets/brief.py SLUG_RE, at most SLUG_MAX = 20
-- characters), the same rule as clients_slug_check in deznity_assets/store/schema.py.
-- NULL stays allowed: the platform names a row typed without a slug when it claims it.

-- Rows typed in before this migration with another slug would break the constraint, and
-- PostgreSQL checks it on every later update of such a row (even one that only marks it
-- failed). They are failed here instead, the old slug kept in last_error and the slug
-- cleared; `deznity retry <id>` (or --failed) queues them again, named from business_name.
update public.clients
   set status = 'failed',
       last_error = format(
           'slug: %L is not a valid slug; use a-z, 0-9 and ''-'' (at most 20), e.g. taco-loco '
           '(it was cleared; `deznity retry <id>` names the client from business_name)',
           left(slug, 40)),
       slug = null
 where slug is not null
   and not (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 20);

alter table public.clients drop constraint if exists clients_slug_check;
alter table public.clients add constraint clients_slug_check
    check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) <= 20);
