"""A/B experiments on client sites: the decision statistics and the split at the host's edge (docs/EXPERIMENTS.md).

This package imports nothing from the CLI, `defs/` or the control plane; they use it.
"""
