"""The partitions of the client package graph."""

import dagster as dg

clients_partitions = dg.DynamicPartitionsDefinition(name="clients")
