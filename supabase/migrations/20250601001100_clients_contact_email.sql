-- The client's contact address, where the leads of its site are e-mailed (deznity_assets/site_api/mail.py;
-- deznity_assets/store/schema.py clients.contact_email; validated as the brief field contact_email).
-- Nullable and without a default, so every existing row stays valid and means "no lead e-mails".
-- RLS on public.clients (20250601000100_rls.sql) covers the new column: only service_role reads it.
alter table public.clients add column if not exists contact_email text;
