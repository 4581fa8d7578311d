"""Saleor events -> service actions. Filled by the service capability."""
