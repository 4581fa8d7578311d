"""Prometheus metrics. With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (multiprocess mode)."""

from __future__ import annotations

import os

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

WEBHOOKS_RECEIVED = Counter("aftersales_webhooks_received_total", "Webhook deliveries accepted", ["event"])
WEBHOOKS_DUPLICATE = Counter(
    "aftersales_webhooks_duplicate_total", "Webhook re-deliveries recognised", ["event"]
)
WEBHOOKS_REJECTED = Counter("aftersales_webhooks_rejected_total", "Webhook deliveries refused", ["reason"])
WEBHOOKS_PROCESSED = Counter(
    "aftersales_webhooks_processed_total", "Webhook deliveries processed", ["event", "outcome"]
)
OUTBOX_ATTEMPTS = Counter(
    "aftersales_outbox_attempts_total", "Outbox calls to Saleor", ["operation", "outcome"]
)
OUTBOX_PENDING = Gauge("aftersales_outbox_pending", "Outbox messages waiting", multiprocess_mode="max")
OUTBOX_FAILED = Gauge("aftersales_outbox_failed", "Outbox messages failed for good", multiprocess_mode="max")
SLA_MARKED = Counter("aftersales_sla_clocks_marked_total", "SLA clocks newly at risk or breached", ["mark"])
TASK_LATENCY = Histogram(
    "aftersales_task_latency_seconds",
    "Time from enqueue to the end of a task",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


_SCRAPE_REFRESHERS: list = []


def on_scrape(fn):
    """Register a function that sets gauges from the database just before /metrics is rendered.

    Why a registry: core sits below every app, so apps (the outbox) plug their gauges in from ready().
    """
    _SCRAPE_REFRESHERS.append(fn)
    return fn


def refresh_gauges() -> None:
    for refresh in _SCRAPE_REFRESHERS:
        refresh()


def render_latest() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(DEFAULT_REGISTRY)
