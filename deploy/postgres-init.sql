-- The Dagster instance's run, event-log and schedule storage: a database of its own beside the
-- clients store's (DEZNITY_DAGSTER_PG_URL in docker-compose.yaml points at it).
CREATE DATABASE dagster OWNER deznity;
