"""The partitions of the client package graph: one per client slug."""

import dagster as dg

clients_partitions = dg.DynamicPartitionsDefinition(name="clients")
