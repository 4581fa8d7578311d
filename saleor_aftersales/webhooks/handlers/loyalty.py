"""Saleor events -> loyalty actions. Filled by the loyalty capability."""
