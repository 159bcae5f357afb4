"""The client package asset graph: one partition per client slug, shaped by deznity_assets/flow.py."""
