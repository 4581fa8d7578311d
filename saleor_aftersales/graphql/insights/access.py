"""Who may read and change insights: staff with MANAGE_ORDERS, within their installation only."""

from __future__ import annotations

from ...core.errors import NotFoundError
from ...core.ids import from_global_id
from ...insights.models import QualityAlert, SimulationRun
from ...installations.models import Installation
from ...installations.permissions import SaleorPermission
from ..core.context import get_requestor


def staff_installation(info) -> Installation:
    return get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)


def _pk(global_id: str, type_name: str) -> str:
    try:
        kind, pk = from_global_id(global_id)
    except ValueError as exc:
        raise NotFoundError(f"No {type_name} with this id.", "id") from exc
    if kind != type_name or not pk.isdigit():
        raise NotFoundError(f"No {type_name} with this id.", "id")
    return pk


def alert_for_staff(info, global_id: str) -> QualityAlert:
    installation = staff_installation(info)
    alert = QualityAlert.objects.filter(installation=installation, pk=_pk(global_id, "QualityAlert")).first()
    if alert is None:
        raise NotFoundError("No QualityAlert with this id.", "id")
    return alert


def simulation_for_staff(info, global_id: str) -> SimulationRun:
    installation = staff_installation(info)
    run = SimulationRun.objects.filter(
        installation=installation, pk=_pk(global_id, "PolicySimulation")
    ).first()
    if run is None:
        raise NotFoundError("No PolicySimulation with this id.", "id")
    return run
