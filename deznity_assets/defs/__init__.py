"""Dagster objects only: partitions, assets with their checks, the job, sensors and resources (loaded by
`dg.load_definitions_from_package_module` in definitions.py). Shared code lives outside this folder."""
