"""Deznity: an AI digital agency that runs itself, on Dagster."""

__version__ = "0.1.0"
