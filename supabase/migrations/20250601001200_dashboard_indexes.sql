-- The dashboard's first page reads a page of clients, never every one
-- (deznity_assets/store/schema.py, deznity_assets/dashboard.py): the clients changed last, and the
-- review queue (oldest first) with how many wait past the review window. Indexes only: no row changes.
create index if not exists clients_updated_idx on public.clients (updated_at);
create index if not exists clients_status_updated_idx on public.clients (status, updated_at);
