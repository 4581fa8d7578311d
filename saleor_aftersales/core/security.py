"""Content-Security-Policy: only the Saleor Dashboard may frame our pages.

`frame-ancestors` is DASHBOARD_FRAME_ANCESTORS when set (every response). When it is not set, the Dashboard
shells (the only pages the Dashboard frames) name the origins of the installed Saleor instances themselves
(`dashboard.views.common.shell`, which sets the header before this middleware runs), and everything else —
fragments, the API, the manifest — may not be framed at all ('none')."""

from django.conf import settings

CORS_ALLOWED_HEADERS = "authorization, authorization-bearer, content-type, saleor-api-url, accept-language"

POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors {ancestors}"
)


def content_security_policy(ancestors: list[str] | tuple[str, ...]) -> str:
    return POLICY.format(ancestors=" ".join(ancestors) or "'none'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(settings.DASHBOARD_FRAME_ANCESTORS)
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


def origin_allowed(origin: str, allowed: list[str] | tuple[str, ...]) -> bool:
    """An exact origin, or `scheme://host:*` for any port of that host (STOREFRONT_ORIGINS)."""
    if not origin or origin == "null":
        return False
    for pattern in allowed:
        pattern = pattern.rstrip("/")
        if pattern == origin:
            return True
        if pattern.endswith(":*"):
            base, _, port = origin.rpartition(":")
            if base == pattern[:-2] and port.isdigit():
                return True
    return False


def cors_headers(origin: str, *, preflight: bool) -> dict[str, str]:
    """CORS answer for a storefront calling the GraphQL API from the browser (none for other origins)."""
    if not origin_allowed(origin, settings.STOREFRONT_ORIGINS):
        return {}
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if preflight:
        headers |= {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        }
    return headers
