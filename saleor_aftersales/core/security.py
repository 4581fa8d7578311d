"""Content-Security-Policy: only the Saleor Dashboard may frame our pages.

`frame-ancestors` is DASHBOARD_FRAME_ANCESTORS when set (every response). When it is not set, the Dashboard
shells (the only pages the Dashboard frames) name the origins of the installed Saleor instances themselves
(`dashboard.views.common.shell`, which sets the header before this middleware runs), and everything else —
fragments, the API, the manifest — may not be framed at all ('none')."""

from django.conf import settings

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
