-- What only the client knows (testimonials with consent, offers and prices, founding year,
-- sourcing, awards) as JSON text: the only facts a generated site states
-- (deznity_assets/store/schema.py clients.facts; the shape is deznity_assets/facts.py ClientFacts).
-- Nullable and without a default, so every existing row stays valid and means "no facts given".
alter table public.clients add column if not exists facts text;
