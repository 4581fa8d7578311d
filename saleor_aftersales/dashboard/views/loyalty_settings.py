"""Settings → Loyalty programme and Rewards: the same loyalty actions the GraphQL staff mutations call
(`save_programme`, `set_earn_rule`, `save_tier`, `save_reward`), behind the same permission (MANAGE_DISCOUNTS).
A DomainError is shown on the form (with what was typed) and nothing is saved."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...installations.auth import Requestor
from ...loyalty import actions as loyalty_actions
from ...loyalty.models import Programme, Reward, RewardKind, RuleScope, TierBasis
from ...orders.models import OrderLine
from .common import failure, form_error, settings_write, staff, success, with_trigger

PERMISSION = "MANAGE_DISCOUNTS"  # graphql.loyalty.access.SETUP_PERMISSION
DEFAULT_CHANNEL = "default-channel"
REWARD_ROWS = 200
TARGET_ROWS = 100

PROGRAMME_INTEGERS = (
    "lot_expiry_days",
    "expiry_notice_days",
    "signup_points",
    "first_order_points",
    "survey_completed_points",
    "product_review_points",
    "birthday_points",
    "min_redemption_points",
    "staff_daily_adjustment_limit",
)
ACTION_REWARDS = (
    "signup_points",
    "first_order_points",
    "survey_completed_points",
    "product_review_points",
    "birthday_points",
)
PROGRAMME_CAPS = ("max_points_per_order", "max_balance")  # empty = no cap
PROGRAMME_DECIMALS = ("points_per_unit", "point_value")
FORM_FIELDS = (*PROGRAMME_INTEGERS, *PROGRAMME_CAPS, *PROGRAMME_DECIMALS, "currency", "tier_basis")


def _integer(raw: str, field: str) -> int:
    raw = (raw or "").strip()
    if not raw.lstrip("-").isdigit():
        raise DomainError("INVALID", "Enter a whole number.", field)
    return int(raw)


def _decimal(raw: str, field: str) -> Decimal:
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation:
        raise DomainError("INVALID", "Enter a number.", field) from None
    if not value.is_finite():
        raise DomainError("INVALID", "Enter a number.", field)
    return value


def _optional_decimal(raw: str, field: str) -> Decimal | None:
    return _decimal(raw, field) if (raw or "").strip() else None


def _optional_integer(raw: str, field: str) -> int | None:
    return _integer(raw, field) if (raw or "").strip() else None


def _datetime(raw: str, field: str) -> datetime | None:
    """A `datetime-local` value, read as UTC (the Dashboard shows times in UTC too)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    except ValueError:
        raise DomainError("INVALID", "Enter a date and time.", field) from None


def _channel(request: HttpRequest) -> str:
    data = request.GET if request.method == "GET" else request.POST
    return (data.get("channel") or "").strip()[:128]


def _choices(texts: dict, prefix: str, choices) -> list[tuple[str, str]]:
    return [(value, texts.get(f"{prefix}_{value}", label)) for value, label in choices]


def render_programme(
    request: HttpRequest,
    requestor: Requestor,
    *,
    channel: str = "",
    error: dict | None = None,
    trigger: dict | None = None,
    posted: dict | None = None,
    programme_form: dict | None = None,
) -> HttpResponse:
    installation = requestor.installation
    programmes = list(Programme.objects.filter(installation=installation).order_by("channel_slug"))
    if not channel:
        channel = programmes[0].channel_slug if programmes else DEFAULT_CHANNEL
    programme = next((p for p in programmes if p.channel_slug == channel), None)
    rules, tiers = [], []
    if programme is not None:
        rules = list(programme.earn_rules.order_by("scope", "target_id"))
        tiers = list(programme.tiers.order_by("threshold", "code"))
    texts = request.texts  # type: ignore[attr-defined]
    targets = _known_targets(installation) if programme is not None else []
    names = {target_id: name for _scope, target_id, name in targets}
    for rule in rules:
        rule.target_name = names.get(rule.target_id, "")
    shown = programme or Programme(installation=installation, channel_slug=channel)
    context = {
        "t": texts,
        "tab": "loyalty",
        # What the programme form shows: what was typed when saving failed, else the saved terms.
        "form": programme_form if programme_form is not None else _programme_form(shown),
        "channel": channel,
        "channels": [p.channel_slug for p in programmes],
        "programme": shown,
        "is_new": programme is None,
        "rules": rules,
        "tiers": tiers,
        "action_rewards": ACTION_REWARDS,
        "scopes": _choices(texts, "scope", RuleScope.choices),
        "targets": targets,
        "bases": _choices(texts, "basis", TierBasis.choices),
        "error": error,
        "posted": posted or {},
    }
    return with_trigger(render(request, "dashboard/settings_loyalty.html", context), trigger)


def _known_targets(installation) -> list[tuple[str, str, str]]:
    """(scope, Saleor id, name) of the products, categories and product types seen in orders, for the rule form's
    suggestions (3 queries, at most TARGET_ROWS each)."""
    lines = OrderLine.objects.filter(order__installation=installation)
    found: list[tuple[str, str, str]] = []
    for scope, id_field, name_field in (
        (RuleScope.CATEGORY, "category_id", "category_name"),
        (RuleScope.PRODUCT_TYPE, "product_type_id", "product_type_name"),
        (RuleScope.PRODUCT, "product_id", "product_name"),
    ):
        rows = (
            lines.exclude(**{id_field: ""})
            .values_list(id_field, name_field)
            .order_by(name_field, id_field)
            .distinct()[:TARGET_ROWS]
        )
        found.extend((str(scope), target_id, name) for target_id, name in rows)
    return found


def _programme_form(programme: Programme) -> dict:
    form = {
        name: "" if getattr(programme, name) is None else str(getattr(programme, name))
        for name in FORM_FIELDS
    }
    form["is_active"] = "on" if programme.is_active else ""
    return form


@csrf_exempt
@require_GET
def programme_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_programme(request, requestor, channel=_channel(request))


def _programme_values(data) -> dict:
    values: dict = {"is_active": data.get("is_active") == "on"}
    if data.get("currency", "").strip():
        values["currency"] = data["currency"].strip()
    for name in PROGRAMME_DECIMALS:
        if data.get(name, "").strip():
            values[name] = _decimal(data[name], name)
    for name in PROGRAMME_INTEGERS:
        if data.get(name, "").strip():
            values[name] = _integer(data[name], name)
    for name in PROGRAMME_CAPS:
        values[name] = _optional_integer(data.get(name, ""), name)
    if data.get("tier_basis") in TierBasis.values:
        values["tier_basis"] = data["tier_basis"]
    return values


def _programme_write(request: HttpRequest, perform, *, posted_as: str = "posted") -> HttpResponse:
    """A programme-tab form: `perform(requestor, channel, data)` through settings_write, the tab re-rendered for
    the channel (what was posted goes back into the form named by `posted_as`)."""
    channel = _channel(request)

    def render_tab(request, requestor, *, posted=None, **kwargs):
        if posted is not None:
            kwargs[posted_as] = posted
        return render_programme(request, requestor, channel=channel, **kwargs)

    return settings_write(
        request, PERMISSION, lambda requestor, data: perform(requestor, channel, data), render_tab
    )


@csrf_exempt
@require_POST
def programme_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, channel, data):
        loyalty_actions.save_programme(
            installation=requestor.installation,
            channel_slug=channel,
            actor=requestor.actor,
            values=_programme_values(data),
        )

    return _programme_write(request, perform, posted_as="programme_form")


def _programme_or_error(requestor: Requestor, channel: str) -> Programme:
    programme = Programme.objects.filter(installation=requestor.installation, channel_slug=channel).first()
    if programme is None:
        raise DomainError("NOT_FOUND", "No loyalty programme in this channel.", "channel")
    return programme


@csrf_exempt
@require_POST
def earn_rule_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, channel, data):
        loyalty_actions.set_earn_rule(
            programme=_programme_or_error(requestor, channel),
            scope=data.get("scope", ""),
            target_id=data.get("target_id", "").strip()[:128],
            multiplier=_decimal(data.get("multiplier", ""), "multiplier"),
        )

    return _programme_write(request, perform)


@csrf_exempt
@require_POST
def tier_save_fragment(request: HttpRequest) -> HttpResponse:
    def perform(requestor, channel, data):
        values = {
            "name_en": data.get("name_en", "").strip(),
            "name_zh_hans": data.get("name_zh_hans", "").strip(),
            "threshold": _decimal(data.get("threshold", ""), "threshold"),
            "multiplier": _decimal(data.get("multiplier", ""), "multiplier"),
            "benefits_en": data.get("benefits_en", "").strip(),
            "benefits_zh_hans": data.get("benefits_zh_hans", "").strip(),
        }
        code = data.get("code", "").strip()
        loyalty_actions.save_tier(programme=_programme_or_error(requestor, channel), code=code, values=values)
        return data.get("code", "")

    return _programme_write(request, perform)


# --- rewards catalogue ----------------------------------------------------------------------------------------


def render_rewards(
    request: HttpRequest,
    requestor: Requestor,
    *,
    editing: Reward | None = None,
    error: dict | None = None,
    trigger: dict | None = None,
    posted: dict | None = None,
) -> HttpResponse:
    installation = requestor.installation
    texts = request.texts  # type: ignore[attr-defined]
    rewards = list(
        Reward.objects.filter(installation=installation).order_by(
            "channel_slug", "-is_active", "points_cost", "id"
        )[:REWARD_ROWS]
    )
    context = {
        "t": texts,
        "tab": "rewards",
        "language": request.language,  # type: ignore[attr-defined]
        "rewards": rewards,
        "kind_labels": dict(_choices(texts, "kind", RewardKind.choices)),
        "kinds": _choices(texts, "kind", RewardKind.choices),
        "editing": editing,
        "form": posted if posted is not None else _reward_form(editing),
        "error": error,
    }
    return with_trigger(render(request, "dashboard/settings_rewards.html", context), trigger)


def _local(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if value else ""


def _reward_form(reward: Reward | None) -> dict:
    if reward is None:
        return {"channel": DEFAULT_CHANNEL, "currency": "", "validity_days": "90", "is_active": "on"}
    return {
        "id": str(reward.pk),
        "channel": reward.channel_slug,
        "kind": reward.kind,
        "name_en": reward.name_en,
        "name_zh_hans": reward.name_zh_hans,
        "points_cost": str(reward.points_cost),
        "value": f"{reward.value.normalize():f}",
        "currency": reward.currency,
        "min_order_amount": f"{reward.min_order_amount.normalize():f}" if reward.min_order_amount else "",
        "per_customer_limit": "" if reward.per_customer_limit is None else str(reward.per_customer_limit),
        "available_from": _local(reward.available_from),
        "available_until": _local(reward.available_until),
        "validity_days": str(reward.validity_days),
        "is_active": "on" if reward.is_active else "",
    }


def _reward(requestor: Requestor, pk) -> Reward:
    reward = Reward.objects.filter(installation=requestor.installation, pk=pk).first()
    if reward is None:
        raise Http404
    return reward


@csrf_exempt
@require_GET
def rewards_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    edit = request.GET.get("edit", "")
    editing = _reward(requestor, int(edit)) if edit.isdigit() else None
    return render_rewards(request, requestor, editing=editing)


def _reward_values(data) -> dict:
    return {
        "channel_slug": data.get("channel", "").strip()[:128],
        "kind": data.get("kind", ""),
        "name_en": data.get("name_en", "").strip()[:200],
        "name_zh_hans": data.get("name_zh_hans", "").strip()[:200],
        "points_cost": _integer(data.get("points_cost", ""), "points_cost"),
        "value": _optional_decimal(data.get("value", ""), "value") or Decimal("0"),
        "currency": data.get("currency", "").strip()[:3] or "USD",
        "min_order_amount": _optional_decimal(data.get("min_order_amount", ""), "min_order_amount"),
        "per_customer_limit": _optional_integer(data.get("per_customer_limit", ""), "per_customer_limit"),
        "available_from": _datetime(data.get("available_from", ""), "available_from"),
        "available_until": _datetime(data.get("available_until", ""), "available_until"),
        "validity_days": _integer(data.get("validity_days", "") or "90", "validity_days"),
        "is_active": data.get("is_active") == "on",
    }


@csrf_exempt
@require_POST
def reward_save_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    data = request.POST
    editing = _reward(requestor, int(data["id"])) if data.get("id", "").isdigit() else None
    try:
        values = _reward_values(data)
        if values["per_customer_limit"] is not None and values["per_customer_limit"] < 1:
            raise DomainError("OUT_OF_RANGE", "At least 1, or empty for no limit.", "per_customer_limit")
        reward = loyalty_actions.save_reward(
            installation=requestor.installation, reward=editing, values=values
        )
    except DomainError as exc:
        # save_reward sets the fields on the instance before validating: never show that half-changed row.
        editing = _reward(requestor, editing.pk) if editing else None
        return render_rewards(
            request,
            requestor,
            editing=editing,
            error=form_error(exc),
            trigger=failure(exc),
            posted=data.dict(),
        )
    return render_rewards(request, requestor, trigger=success(request.texts["saved"], reward.name_en))


@csrf_exempt
@require_POST
def reward_toggle_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    reward = _reward(requestor, pk)
    active = request.POST.get("active") == "1"
    try:
        loyalty_actions.save_reward(
            installation=requestor.installation, reward=reward, values={"is_active": active}
        )
    except DomainError as exc:
        return render_rewards(request, requestor, error=form_error(exc), trigger=failure(exc))
    title = request.texts["activated"] if active else request.texts["deactivated"]
    return render_rewards(request, requestor, trigger=success(title, reward.name_en))
