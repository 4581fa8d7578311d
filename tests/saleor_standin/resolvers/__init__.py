"""Importing this package registers every resolver (each module uses the decorators of schema_exec)."""

from . import fields, metadata, orders, payments, queries, rewards  # noqa: F401
