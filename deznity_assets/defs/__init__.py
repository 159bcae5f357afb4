"""Dagster objects only: partitions, assets with their checks, the job, sensors and resources (loaded by
`dg.load_from_defs_folder`). Shared code lives outside this folder."""
