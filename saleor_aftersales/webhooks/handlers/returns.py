"""Saleor events -> returns actions. Filled by the returns capability."""
