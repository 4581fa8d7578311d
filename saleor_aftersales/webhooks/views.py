"""POST /api/webhooks/<event> through Django (tests, and deployments with WEBHOOK_FAST_PATH off).

Under gunicorn the same requests are served by webhooks.fast_path ahead of Django's middleware; both call
webhooks.ingest.receive, which holds every check (see there).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .ingest import receive, reject


@csrf_exempt
def receive_webhook(request: HttpRequest, event: str) -> JsonResponse:
    if request.method != "POST":
        answer = reject(405, "METHOD_NOT_ALLOWED", "Webhooks are POST requests.")
    else:
        answer = receive(
            event=event,
            content_length=request.META.get("CONTENT_LENGTH"),
            header=lambda name: request.headers.get(name, ""),
            read_body=lambda: request.body,
        )
    return JsonResponse(answer.payload, status=answer.status)
