"""A/B experiments on client sites: the decision statistics, the split at the host's edge, the hero copy under
test and its next challenger (docs/EXPERIMENTS.md).

This package imports nothing from the CLI, `defs/` or the control plane; they use it.
"""
