"""The GraphQL endpoint: authenticate, validate with limits, execute with DataLoaders, never a 500."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import GraphQLError

from ...core.errors import DomainError
from ...core.security import cors_headers
from ...installations.auth import AuthenticationFailed, authenticate
from .execution import ExecutionContext
from .validation import validation_rules

logger = logging.getLogger(__name__)


def _place_file(target, path: list[str], upload) -> None:
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if isinstance(target, list):
            try:
                index = int(key)
            except ValueError:
                return
            if index >= len(target):
                return
            if last:
                target[index] = upload
            else:
                target = target[index]
        elif isinstance(target, dict):
            if last:
                target[key] = upload
            else:
                target = target.setdefault(key, {})
        else:
            return


@method_decorator(csrf_exempt, name="dispatch")
class AftersalesGraphQLView(GraphQLView):
    execution_context_class = ExecutionContext

    def __init__(self, **kwargs):
        kwargs.setdefault("graphiql", settings.DEBUG)
        kwargs.setdefault("validation_rules", validation_rules())
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        response = self._answer(request, *args, **kwargs)
        # Storefronts in STOREFRONT_ORIGINS may call us from the browser (customer JWT in Authorization).
        for name, value in cors_headers(
            request.headers.get("Origin", ""), preflight=request.method == "OPTIONS"
        ).items():
            response[name] = value
        return response

    def _answer(self, request: HttpRequest, *args, **kwargs):
        if request.method == "OPTIONS":
            return JsonResponse({})
        if request.method == "GET" and not self.graphiql:
            return JsonResponse({"errors": [{"message": "Use POST."}]}, status=405)
        try:
            request.requestor = authenticate(request)  # type: ignore[attr-defined]
        except AuthenticationFailed as exc:
            return JsonResponse(
                {"errors": [{"message": f"Invalid token: {exc}", "extensions": {"code": "INVALID_TOKEN"}}]},
                status=401,
            )
        try:
            return super().dispatch(request, *args, **kwargs)
        except Exception:  # a bug must not become an HTML 500 page for API clients
            logger.exception("graphql dispatch failed")
            return JsonResponse({"errors": [{"message": "Internal error."}]}, status=500)

    def parse_body(self, request):
        # GraphQL multipart request spec (as Saleor supports): `operations` JSON, a `map` of file keys to
        # variable paths, and the files themselves; files become values of the `Upload` scalar.
        if request.content_type == "multipart/form-data":
            try:
                operations = json.loads(request.POST.get("operations", "{}"))
                file_map = json.loads(request.POST.get("map", "{}"))
            except ValueError:
                return {}
            if isinstance(operations, dict) and isinstance(file_map, dict):
                for file_key, paths in file_map.items():
                    upload = request.FILES.get(file_key)
                    for path in paths if isinstance(paths, list) else []:
                        _place_file(operations, str(path).split("."), upload)
            return operations if isinstance(operations, dict) else {}
        return super().parse_body(request)

    @staticmethod
    def format_error(error):
        if isinstance(error, GraphQLError):
            original = error.original_error
            if isinstance(original, DomainError):
                formatted = error.formatted
                formatted["message"] = original.details[0].message
                formatted["extensions"] = {"code": original.code, "field": original.details[0].field}
                return formatted
            if original is not None and not isinstance(original, GraphQLError):
                logger.error("resolver failed", exc_info=original)
                formatted = error.formatted
                formatted["message"] = "Internal error."
                formatted["extensions"] = {"code": "INTERNAL_ERROR"}
                return formatted
            return error.formatted
        logger.error("unexpected graphql error", exc_info=error)
        return {"message": "Internal error."}
