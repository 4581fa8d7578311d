"""Settings → History: who changed which setting, when, and each field's value before and after (the
configuration history that `audit.tracking` records for every settings tab, mutation and command). MANAGE_ORDERS,
like most settings tabs; filter by kind of setting. One query for the rows, whatever their number."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ...audit import selectors as audit_selectors
from ...audit.tracking import TRACKED
from ..labels import audit_action_label, audit_target_label
from .common import params, staff

PERMISSION = "MANAGE_ORDERS"
ROWS = 100


@require_GET
def history_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    lang = request.language  # type: ignore[attr-defined]
    target_type = params(request).get("kind", "")
    if target_type not in TRACKED:
        target_type = ""
    rows = list(audit_selectors.recent_changes(requestor.installation, target_type=target_type)[:ROWS])
    entries = [
        {
            "row": row,
            "action": audit_action_label(row.type, lang),
            "kind": audit_target_label(row.target_type, lang),
            "changes": [
                {"field": field, "before": pair[0], "after": pair[1]}
                for field, pair in (row.data.get("changes") or {}).items()
            ],
        }
        for row in rows
    ]
    context = {
        "t": request.texts,  # type: ignore[attr-defined]
        "tab": "history",
        "entries": entries,
        "kind": target_type,
        "kinds": [(label, audit_target_label(label, lang)) for label in TRACKED],
    }
    return render(request, "dashboard/settings_history.html", context)
