"""Helpers shared by the benchmark scripts (import after Django is set up)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

WARMUP_ROUNDS = 3


def time_calls(
    call: Callable[[], Any], check: Callable[[Any], None], rounds: int
) -> tuple[float, float, int]:
    """Run `call` rounds (+ warm-up) times; return p50 ms, p95 ms and the SQL count of the last measured call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    queries = 0
    for round_ in range(rounds + WARMUP_ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            elapsed = (time.perf_counter() - started) * 1000
        check(response)
        if round_ >= WARMUP_ROUNDS:
            timings.append(elapsed)
            queries = len(captured.captured_queries)
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[94], queries


def create_bench_installation(api_url: str, app_id: str):
    """An installation whose JWKS holds a fresh key; returns (installation, private key) to mint tokens."""
    from saleor_aftersales.installations.models import Installation

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": "bench", "use": "sig", "alg": "RS256"})
    installation = Installation.objects.create(
        saleor_api_url=api_url, app_id=app_id, auth_token="x", jwks={"keys": [public]}
    )
    return installation, key
