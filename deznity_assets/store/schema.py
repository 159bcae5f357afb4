"""The clients store's tables (SQLAlchemy Core), portable across SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from ..brief import SLUG_MAX

metadata = sa.MetaData()

# needs_review: a regulated client's package waits for a person's decision (a reviews row).
# A new status goes at the end: SqlClientStore.create_tables widens clients_status_check of
# tables made before it, and the migrations re-add the check with the same list in this order.
STATUSES = ("pending", "in_progress", "completed", "failed", "needs_review")
STATUS_CHECK = f"status IN {STATUSES!r}"
DECISIONS = ("approved", "rejected")
# A slug becomes a partition key and folder names: only brief.SLUG_RE, at most SLUG_MAX
# characters (NULL is allowed: the claim names such a row). The same rule per dialect; the
# migration 20250601000300_clients_slug_check.sql holds the PostgreSQL one.
SLUG_CHECK_POSTGRESQL = f"slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= {SLUG_MAX}"
SLUG_CHECK_SQLITE = (
    f"slug NOT GLOB '*[^a-z0-9-]*' AND length(slug) BETWEEN 1 AND {SLUG_MAX} "
    "AND slug NOT GLOB '-*' AND slug NOT GLOB '*-' AND slug NOT GLOB '*--*'"
)

clients = sa.Table(
    "clients",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    # Brief fields are plain text so that a row typed straight into the table can hold
    # anything; validation happens when the row is claimed and names the bad field.
    sa.Column("slug", sa.String(64), unique=True),
    sa.Column("business_name", sa.Text),
    sa.Column("industry", sa.Text),
    sa.Column("goal", sa.Text),
    sa.Column("color", sa.Text),
    sa.Column("logo_url", sa.Text),
    sa.Column("copy_tone", sa.Text),
    sa.Column("target_geo", sa.Text),
    sa.Column("pages", sa.Text),
    sa.Column("budget", sa.Text),
    sa.Column("language", sa.Text),
    # The client's facts (testimonials, offers and prices, founding year...) as JSON text: the only
    # facts a site states. Added after the first tables: SqlClientStore.create_tables adds it to
    # older ones, and migration 20250601000700_clients_facts.sql to Supabase's.
    sa.Column("facts", sa.Text),
    # Where the leads of the client's site are e-mailed (deznity_assets/site_api/mail.py); NULL: none are.
    # Added after the table's first version (see ADDED_COLUMNS).
    sa.Column("contact_email", sa.Text),
    # A/B experiments on the client's site: true/false as text, like the other brief fields; NULL:
    # DEZNITY_EXPERIMENTS decides. Added after the table's first version (see ADDED_COLUMNS).
    sa.Column("experiments", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempt", sa.Integer, nullable=False, server_default="1"),
    sa.Column("last_error", sa.Text),
    sa.Column("run_id", sa.String(64)),
    sa.Column("claimed_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()),
    # Set by `deznity retry` on a client whose run failed after its brief: the step the next claim
    # runs from (with every later one), earlier deliverables read from storage. Cleared once a run
    # takes the client. Added after the table's first version (see ADDED_COLUMNS).
    sa.Column("resume_from", sa.String(40)),
    # Set with resume_from when a run carrying out a review decision crashed: the reviews row whose
    # decision the next run carries out again (from resume_from), so the same work is not reviewed
    # twice. Cleared with resume_from (see ADDED_COLUMNS).
    sa.Column("resume_review", sa.String(64)),
    sa.CheckConstraint(STATUS_CHECK, name="clients_status_check"),
    sa.CheckConstraint(SLUG_CHECK_POSTGRESQL, name="clients_slug_check").ddl_if(dialect="postgresql"),
    sa.CheckConstraint(SLUG_CHECK_SQLITE, name="clients_slug_check").ddl_if(dialect="sqlite"),
    sa.Index("clients_status_created_idx", "status", "created_at"),
    # The dashboard's first page: the clients changed last, and the review queue with its overdue count.
    sa.Index("clients_updated_idx", "updated_at"),
    sa.Index("clients_status_updated_idx", "status", "updated_at"),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("client_id", sa.Uuid(as_uuid=False), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_id", sa.String(64), nullable=False, unique=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("phase", sa.String(40)),
    sa.Column("blockers", sa.Text),
    sa.Column("next_actions", sa.Text),
    sa.Column("qa_score", sa.Float),
    sa.Column("tokens", sa.Integer),
    sa.Column("cost_usd", sa.Float),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # Where the run published the site live (Vercel, Netlify), and hero B's preview deployment.
    sa.Column("live_url", sa.Text),
    sa.Column("preview_url", sa.Text),
    sa.Index("projects_client_idx", "client_id"),
)

project_tasks = sa.Table(
    "project_tasks",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("project_id", sa.Uuid(as_uuid=False), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("phase", sa.String(40), nullable=False),
    sa.Column("agent", sa.String(40), nullable=False),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("output_path", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Index("project_tasks_project_idx", "project_id"),
)

agent_activities = sa.Table(
    "agent_activities",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("project_id", sa.Uuid(as_uuid=False), sa.ForeignKey("projects.id", ondelete="CASCADE")),
    sa.Column("client_id", sa.Uuid(as_uuid=False), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("agent", sa.String(40), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("phase", sa.String(40)),
    sa.Column("duration_ms", sa.Integer),
    sa.Column("provider", sa.String(40)),
    sa.Column("model", sa.String(120)),
    sa.Column("tokens_in", sa.Integer),
    sa.Column("tokens_out", sa.Integer),
    sa.Column("cost_usd", sa.Float),
    sa.Column("details", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("agent_activities_client_idx", "client_id"),
)

# The webhook outbox: one row per status change, written with the change (SQL backends: in the
# same transaction), and one row per delivery attempt to each endpoint. `seq` orders events;
# `done` is set once no configured endpoint owes the event (each delivered it or gave it up).
# Nullable columns added to tables after their first version, each with the Supabase migration that
# adds it: SqlClientStore.create_tables adds them to an existing SQLite or PostgreSQL database.
ADDED_COLUMNS: dict[tuple[str, str], str] = {
    ("clients", "resume_from"): "20250601000600_live_deployment.sql",
    ("projects", "live_url"): "20250601000600_live_deployment.sql",
    ("projects", "preview_url"): "20250601000600_live_deployment.sql",
    ("clients", "facts"): "20250601000700_clients_facts.sql",
    ("clients", "resume_review"): "20250601000900_clients_resume_review.sql",
    ("clients", "contact_email"): "20250601001100_clients_contact_email.sql",
    ("clients", "experiments"): "20250601001300_experiments.sql",
}

# Indexes added to the clients table after its first version, each with the Supabase migration that adds it.
ADDED_INDEXES: dict[str, str] = {
    "clients_updated_idx": "20250601001200_dashboard_indexes.sql",
    "clients_status_updated_idx": "20250601001200_dashboard_indexes.sql",
}

webhook_events = sa.Table(
    "webhook_events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("id", sa.Uuid(as_uuid=False), nullable=False, unique=True),
    # No foreign key: a client deleted after a status change still has its event delivered.
    sa.Column("client_id", sa.String(64)),
    sa.Column("slug", sa.String(64)),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("webhook_events_done_seq_idx", "done", "seq"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column(
        "event_id", sa.Uuid(as_uuid=False), sa.ForeignKey("webhook_events.id", ondelete="CASCADE"), nullable=False
    ),
    # The endpoint's name without secrets: no userinfo, query or (Slack) token path.
    sa.Column("endpoint", sa.Text, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # delivered | retry | gave_up
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("duration_ms", sa.Integer),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Index("webhook_deliveries_event_idx", "event_id"),
)


# A visitor's submission of a form on a client's published site (deznity_assets/site_api/): the
# fields the form has, as JSON text, validated and free of control characters. Spam (the honeypot
# filled, the form sent faster than a person can) is kept apart with its reason and never notified.
# `visitor` is a keyed hash of the address that rotates daily, never the address itself. `mail_state`
# is the e-mail outbox: NULL until the mail pass has sent it (sent), found no address (none), or given
# it up (failed, with mail_error).
LEAD_MAIL_STATES = ("sent", "none", "failed")
leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("client_id", sa.Uuid(as_uuid=False), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(64), nullable=False),
    sa.Column("form", sa.String(40), nullable=False),
    sa.Column("fields", sa.Text, nullable=False),
    # The experiment variant the visitor saw (A/B experiments), when one ran.
    sa.Column("variant", sa.String(16)),
    sa.Column("spam", sa.Boolean, nullable=False, server_default=sa.text("false")),
    sa.Column("spam_reason", sa.String(40)),
    sa.Column("visitor", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("mail_state", sa.String(16)),
    sa.Column("mail_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("mail_error", sa.Text),
    sa.Index("leads_client_created_idx", "client_id", "created_at"),
    sa.Index("leads_created_idx", "created_at"),
    sa.Index("leads_mail_idx", "mail_state", "spam"),
)

# A/B experiments on a client's site (deznity_assets/experiments/): one running per client at a time,
# started by the first exposure the site API records (or by `start_experiment`), decided once with its
# figures (JSON text: the look that decided), and marked acted upon by whatever promotes or retires
# its variant. `winner` is a, b or none (no difference within the margin).
EXPERIMENT_STATUSES = ("running", "decided", "off")
EXPERIMENT_KINDS = ("exposure", "conversion")
experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("client_id", sa.Uuid(as_uuid=False), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("slug", sa.String(64), nullable=False),
    sa.Column("page", sa.String(200), nullable=False, server_default="index"),
    sa.Column("status", sa.String(16), nullable=False, server_default="running"),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("decision", sa.String(16)),
    sa.Column("winner", sa.String(8)),
    sa.Column("figures", sa.Text),
    sa.Column("acted_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.Text),
    sa.CheckConstraint(f"status IN {EXPERIMENT_STATUSES!r}", name="experiments_status_check"),
    # At most one running experiment per client: two exposures arriving at once start one, not two.
    sa.Index(
        "experiments_one_running_idx",
        "client_id",
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    ),
    sa.Index("experiments_slug_started_idx", "slug", "started_at"),
    sa.Index("experiments_pending_idx", "status", "acted_at"),
)

# What an experiment counted: an exposure (a visitor shown a variant) or a conversion (that visitor
# sent the goal's form), once per experiment, visitor and kind. `visitor` is a keyed hash of the
# cookie's random id (experiments.measure.visitor_hash), never the id; no address or agent is kept.
# `seq` orders events: the experiment sensor's cursor.
experiment_events = sa.Table(
    "experiment_events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column(
        "experiment_id",
        sa.Uuid(as_uuid=False),
        sa.ForeignKey("experiments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("variant", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("visitor", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"kind IN {EXPERIMENT_KINDS!r}", name="experiment_events_kind_check"),
    sa.CheckConstraint("variant IN ('a', 'b')", name="experiment_events_variant_check"),
    sa.UniqueConstraint("experiment_id", "visitor", "kind", name="experiment_events_once"),
    sa.Index("experiment_events_counts_idx", "experiment_id", "kind", "variant"),
)

# Delivery state per endpoint (named without its secrets, as in webhook_deliveries), so that a failing
# endpoint delays only itself. `queued_through` is the seq of the newest event taken into the endpoint's
# queue; `waiting`, `given_up` and `checked_at` are its backlog as the last delivery pass counted it
# (what `deznity webhooks deliveries`, doctor and the dashboard show without counting again).
webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("endpoint", sa.Text, primary_key=True),
    sa.Column("queued_through", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("failing_since", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
    sa.Column("waiting", sa.Integer, nullable=False, server_default="0"),
    sa.Column("given_up", sa.Integer, nullable=False, server_default="0"),
    sa.Column("checked_at", sa.DateTime(timezone=True)),
)

# One row per (endpoint, event) the endpoint was given: open (owed: not tried yet or to retry), delivered,
# or gave_up (kept: `deznity webhooks redeliver` opens it again). `seq` is the event's, to send a client's
# events in order; `updated_at` is when the state last changed (for a gave_up row: when it was given up).
webhook_endpoint_events = sa.Table(
    "webhook_endpoint_events",
    metadata,
    sa.Column("endpoint", sa.Text, primary_key=True),
    sa.Column(
        "event_id",
        sa.Uuid(as_uuid=False),
        sa.ForeignKey("webhook_events.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # open | delivered | gave_up
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # The delivery pass's query (an endpoint's open events in order), the backlog counts and redeliver.
    sa.Index("webhook_endpoint_events_state_idx", "endpoint", "state", "seq"),
)


class _NewUuid(sa.sql.functions.FunctionElement[str]):
    """A fresh random id made by the database, for rows typed by hand (a server default)."""

    type = sa.String()
    name = "new_uuid"
    inherit_cache = True


@compiles(_NewUuid)  # PostgreSQL (13+), the only other dialect the store serves
def _new_uuid_postgresql(element: _NewUuid, compiler: Any, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(_NewUuid, "sqlite")
def _new_uuid_sqlite(element: _NewUuid, compiler: Any, **kw: Any) -> str:
    # The form sa.Uuid stores on SQLite: 32 lower-case hex digits without dashes.
    return "lower(hex(randomblob(16)))"


def _new_id() -> str:
    return str(uuid.uuid4())


# A reviewer's decision on a client waiting in needs_review: written by `deznity review`, or
# typed into the table (client_id, attempt, decision, reviewer, reason; the rest defaults).
# The platform acts on each row once and says so in applied_at, applied_run and outcome.
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True, default=_new_id, server_default=_NewUuid()),
    sa.Column("client_id", sa.Uuid(as_uuid=False), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    # The step a rejection re-runs from; NULL means the default step.
    sa.Column("rework", sa.String(40)),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column("applied_at", sa.DateTime(timezone=True)),
    sa.Column("applied_run", sa.String(64)),
    sa.Column("outcome", sa.Text),
    sa.CheckConstraint(f"decision IN {DECISIONS!r}", name="reviews_decision_check"),
    # The review sensor's query: decisions not yet acted on, oldest first.
    sa.Index("reviews_applied_decided_idx", "applied_at", "decided_at"),
    sa.Index("reviews_client_idx", "client_id"),
)
