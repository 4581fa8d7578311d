"""Saleor events -> warranty actions. Filled by the warranty capability."""
