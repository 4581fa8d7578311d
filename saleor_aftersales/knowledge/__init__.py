"""Self-service knowledge: help articles (zh-Hans/en) and the local intent classifier (triage)."""
