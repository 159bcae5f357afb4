"""The partitions of the client package graph: one per client slug."""

import dagster as dg

CLIENTS = "clients"
clients_partitions = dg.DynamicPartitionsDefinition(name=CLIENTS)
