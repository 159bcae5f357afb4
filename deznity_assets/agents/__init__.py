"""Agents: the roster, the provider interface and its implementations."""
