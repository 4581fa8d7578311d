"""A small GraphQL client for Saleor over httpx.

Documents come from `graphql/saleor/*.graphql` (validated against Saleor's schema in the tests). Transport
failures (connect errors, timeouts, 5xx, 429) are retried with exponential backoff; GraphQL errors and
mutation `errors` are raised as typed exceptions.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
from django.conf import settings

from ..core.documents import saleor_operation
from .errors import (
    SaleorAuthError,
    SaleorGraphQLError,
    SaleorMutationError,
    SaleorRateLimited,
    SaleorTransportError,
)

logger = logging.getLogger(__name__)

_clients: dict[str, httpx.Client] = {}


def _http_client(base_url: str) -> httpx.Client:
    # One pooled client per Saleor host; pooling is per process (a cache, not business state).
    client = _clients.get(base_url)
    if client is None:
        client = httpx.Client(
            timeout=httpx.Timeout(settings.SALEOR_HTTP_TIMEOUT, connect=settings.SALEOR_HTTP_CONNECT_TIMEOUT),
            follow_redirects=False,
            headers={"User-Agent": "saleor-aftersales/0.1"},
        )
        _clients[base_url] = client
    return client


class SaleorClient:
    def __init__(
        self,
        api_url: str,
        token: str | None,
        *,
        retries: int | None = None,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.api_url = api_url
        self.token = token
        self.retries = settings.SALEOR_HTTP_RETRIES if retries is None else retries
        self.backoff = backoff
        self._sleep = sleep

    def execute_document(self, document: str, variables: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"query": document, "variables": variables or {}}
        attempt = 0
        while True:
            try:
                return self._post_once(headers, payload)
            except SaleorTransportError as exc:
                if attempt >= self.retries:
                    raise
                delay = self.backoff * (2**attempt) * (1 + random.random() / 4)
                logger.info("saleor call retry", extra={"attempt": attempt + 1, "error": str(exc)})
                self._sleep(delay)
                attempt += 1

    def _post_once(self, headers: dict, payload: dict) -> dict:
        try:
            response = _http_client(self.api_url).post(self.api_url, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise SaleorTransportError(f"timeout: {exc}") from exc
        except httpx.TransportError as exc:
            raise SaleorTransportError(f"transport: {exc}") from exc
        if response.status_code == 429:
            raise SaleorRateLimited("429 Too Many Requests")
        if response.status_code >= 500:
            raise SaleorTransportError(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise SaleorAuthError(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise SaleorTransportError(f"invalid JSON from Saleor (HTTP {response.status_code})") from exc
        if response.status_code >= 400 and not body.get("errors"):
            raise SaleorGraphQLError(errors=[{"message": f"HTTP {response.status_code}"}])
        errors = body.get("errors") or []
        if errors:
            codes = {str((e.get("extensions") or {}).get("exception", {}).get("code", "")) for e in errors}
            if "PermissionDenied" in codes or any(
                "permission" in str(e.get("message", "")).lower() for e in errors
            ):
                raise SaleorAuthError("; ".join(str(e.get("message")) for e in errors))
            raise SaleorGraphQLError(errors=errors)
        return body.get("data") or {}

    def execute(self, operation: str, variables: dict | None = None) -> dict:
        """Run `graphql/saleor/<operation>.graphql`. For mutations, raise on `errors { field code message }`."""
        data = self.execute_document(saleor_operation(operation), variables)
        for field_name, value in data.items():
            if isinstance(value, dict) and value.get("errors"):
                raise SaleorMutationError(mutation=field_name, errors=value["errors"])
        return data


def mutation_result(data: dict[str, Any]) -> dict:
    """The single root field's object of a mutation answer."""
    return next(iter(data.values())) if data else {}
