"""Manifest and register endpoints. No redirects anywhere: Saleor follows none."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ..core.errors import DomainError
from .actions import register_installation
from .manifest import build_manifest

logger = logging.getLogger(__name__)

REGISTER_STATUS = {"SALEOR_URL_PROHIBITED": 403, "UNKNOWN_APP_ID": 401, "JWKS_NOT_AVAILABLE": 401}


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(build_manifest(request.headers.get("Saleor-Schema-Version")))


def _error(status: int, code: str, message: str) -> JsonResponse:
    logger.warning("register refused", extra={"code": code, "reason": message})
    return JsonResponse({"success": False, "error": {"code": code, "message": message}}, status=status)


@csrf_exempt
def register(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _error(405, "METHOD_NOT_ALLOWED", "Use POST.")
    saleor_api_url = request.headers.get("Saleor-Api-Url", "")
    if not saleor_api_url:
        return _error(400, "MISSING_SALEOR_API_URL", "Missing Saleor-Api-Url header.")
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "INVALID_JSON", "Body is not JSON.")
    token = body.get("auth_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return _error(400, "MISSING_AUTH_TOKEN", "Missing auth token.")
    try:
        register_installation(
            saleor_api_url=saleor_api_url,
            saleor_domain=request.headers.get("Saleor-Domain", ""),
            auth_token=token,
        )
    except DomainError as exc:
        return _error(REGISTER_STATUS.get(exc.code, 400), exc.code, str(exc))
    return JsonResponse({"success": True})
