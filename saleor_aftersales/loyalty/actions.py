"""Every write of the loyalty capability. Keyword-only, atomic, idempotent; balances change only via `ledger`.

Writes to one account are serialised by `select_for_update` on the account row (ledger.lock_account), so
concurrent claims, webhooks and tasks never overspend or double-count.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from ..core.actors import Actor
from ..core.errors import DomainError, NotFoundError, PermissionDeniedError
from ..core.i18n import normalize_language
from ..core.time import now as clock
from ..installations.models import Installation
from ..notifications.actions import notify
from ..orders.models import Order
from ..outbox.actions import enqueue
from ..returns.selectors import return_window_closes_at
from . import error_codes, ledger, policies, selectors
from .models import (
    Account,
    ClaimStatus,
    EarnRule,
    EntryKind,
    LedgerEntry,
    Lot,
    LotSource,
    LotStatus,
    Programme,
    Reward,
    RewardClaim,
    RewardKind,
    StaffAdjustmentLimit,
    Tier,
)

SUBJECT = "loyalty_claim"
METADATA_KEY = "aftersales_idempotency_key"
ON_GIFT_CARD_ISSUED = "loyalty.gift_card_issued"
ON_VOUCHER_CREATED = "loyalty.voucher_created"
ON_VOUCHER_LISTED = "loyalty.voucher_listed"
ON_CLAIM_FAILED = "loyalty.claim_failed"
MAX_KEY_LENGTH = 128


# --- accounts -------------------------------------------------------------------------------------------------


def ensure_account(
    *, installation: Installation, channel_slug: str, email: str, user_id: str = "", language: str = "en"
) -> Account:
    """The member's account in a channel (created on first use; guests are held under their email)."""
    email = (email or "").strip().lower()
    found = selectors.account_of(installation, channel_slug, user_id=user_id, email=email)
    if found is not None:
        if user_id and not found.user_id:
            Account.objects.filter(pk=found.pk, user_id="").update(user_id=user_id)
            found.user_id = user_id
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(
                installation=installation,
                channel_slug=channel_slug,
                email=email,
                user_id=user_id or "",
                language=normalize_language(language),
            )
    except IntegrityError:
        return Account.objects.get(installation=installation, channel_slug=channel_slug, email=email)


def lock_member(
    *,
    installation: Installation,
    channel_slug: str,
    email: str,
    user_id: str = "",
    language: str = "en",
    user_id_missing: bool = False,
) -> Account:
    """The member's account row, locked for this transaction (created first if needed).

    `user_id_missing`: the caller's locked read already found no account with that user id."""
    if user_id and not user_id_missing:
        found = (
            Account.objects.select_for_update()
            .filter(installation=installation, channel_slug=channel_slug, user_id=user_id)
            .first()
        )
        if found is not None:
            return found
    email = (email or "").strip().lower()
    by_email = (
        Account.objects.select_for_update()
        .filter(
            installation=installation, channel_slug=channel_slug, email=email, user_id__in=["", user_id or ""]
        )
        .first()
    )
    if by_email is not None:
        if user_id and not by_email.user_id:
            Account.objects.filter(pk=by_email.pk).update(user_id=user_id)
            by_email.user_id = user_id
        return by_email
    try:
        with transaction.atomic():
            # A row this transaction inserts stays invisible to (and blocks) others until it commits.
            return Account.objects.create(
                installation=installation,
                channel_slug=channel_slug,
                email=email,
                user_id=user_id or "",
                language=normalize_language(language),
            )
    except IntegrityError:
        account = Account.objects.get(installation=installation, channel_slug=channel_slug, email=email)
        return ledger.lock_account(account.pk)


def programme_of(account: Account) -> Programme | None:
    return Programme.objects.filter(
        installation_id=account.installation_id, channel_slug=account.channel_slug, is_active=True
    ).first()


@transaction.atomic
def attach_guest_accounts(*, installation: Installation, email: str, user_id: str) -> int:
    """CUSTOMER_CREATED: points earned as a guest under this email now belong to the new account."""
    if not email or not user_id:
        return 0
    return Account.objects.filter(installation=installation, email=email.strip().lower(), user_id="").update(
        user_id=user_id
    )


# --- earning from orders --------------------------------------------------------------------------------------


def _paid_with_money(order: Order) -> Decimal:
    charged = sum((Decimal(str(t.get("charged") or "0")) for t in order.transactions or []), Decimal("0"))
    return charged or order.total_charged


def release_time(order: Order, *, now: datetime, lines: list | None = None) -> datetime | None:
    """When the order's points vest: its return window closes (None while something is unfulfilled)."""
    from ..returns.selectors import fulfilled_by_line

    shipped = fulfilled_by_line(order)
    lines = [line for line in (order.lines.all() if lines is None else lines) if not line.is_gift]
    fulfilled = bool(lines) and all(
        max(line.quantity_fulfilled, shipped.get(line.pk, 0)) >= line.quantity for line in lines
    )
    return _vesting_time(order, now=now, fulfilled=fulfilled)


def _vesting_time(order: Order, *, now: datetime, fulfilled: bool) -> datetime | None:
    if not fulfilled:
        return None
    closes = return_window_closes_at(order)
    # Fulfilled and nothing is returnable: vest now.
    return closes if closes is not None else (order.fulfilled_at or now)


def _lines_for_earning(order: Order) -> tuple[list[policies.LineForEarning], bool]:
    """The order's lines as earning terms, and whether every non-gift line is fulfilled (mirror quantities or
    FULFILLED fulfillments): one plain statement (the ORM's compilation cost more than the query)."""
    from ..orders.models import Fulfillment, FulfillmentLine, OrderLine

    sql = (
        'SELECT l."saleor_id", CAST(l."total_price_net" AS TEXT), l."quantity", l."product_id", l."category_id", '
        'l."product_type_id", l."is_gift", l."quantity_fulfilled", '
        f'(SELECT COALESCE(SUM(fl."quantity"), 0) FROM {FulfillmentLine._meta.db_table} fl '
        f'JOIN {Fulfillment._meta.db_table} f ON f."id" = fl."fulfillment_id" '
        """WHERE fl."order_line_id" = l."id" AND f."status" = 'FULFILLED') """
        f'FROM {OrderLine._meta.db_table} l WHERE l."order_id" = %s ORDER BY l."id"'
    )
    rows = ledger.fetch(sql, [order.pk])
    lines, fulfilled, goods = [], True, 0
    for line_id, net, quantity, product, category, product_type, gift, done, shipped in rows:
        lines.append(
            policies.LineForEarning(
                line_id=line_id,
                net_total=Decimal(net),
                quantity=quantity,
                product_id=product,
                category_id=category,
                product_type_id=product_type,
                is_gift=bool(gift),
            )
        )
        if not gift:
            goods += 1
            fulfilled = fulfilled and max(done, int(shipped)) >= quantity
    return lines, fulfilled and goods > 0


def _tier_multiplier(
    account: Account, programme: Programme, tiers: list[policies.TierTerms], *, new: bool, now: datetime
) -> Decimal:
    """The member's tier multiplier; a brand-new account qualifies with 0 (no rolling sum is read then)."""
    if not tiers:
        return Decimal("1")
    qualifying = Decimal("0") if new else selectors.qualifying_amount(account, programme.tier_basis, now=now)
    current, _ = policies.tier_for(tiers, qualifying)
    return current.multiplier if current else Decimal("1")


@transaction.atomic
def earn_for_order(*, order: Order, actor: Actor, now: datetime | None = None) -> list[LedgerEntry]:
    """ORDER_FULLY_PAID: pending points per line (idempotent per order + line), released with the window.

    Hot path (PostgreSQL, 5-line order): a known member costs the locked read, the idempotency read, the lines,
    the terms, one write and the notification; a first-time customer's account is created together with the
    programme read (ledger.open_account) and needs no idempotency read.
    """
    current = now or clock()
    if not order.user_email:
        return []
    # A known member: account and programme in one locked read; else the programme and a new account.
    locked = (
        ledger.lock_for_write(
            key="",
            installation_id=order.installation_id,
            channel_slug=order.channel_slug,
            user_id=order.user_id,
        )
        if order.user_id
        else None
    )
    new = False
    if locked is not None:
        account, programme = locked.account, locked.programme
        if programme is None or not programme.is_active:
            return []
    else:
        email = (order.user_email or "").strip().lower()
        opened = ledger.open_account(
            installation_id=order.installation_id,
            channel_slug=order.channel_slug,
            email=email,
            user_id=order.user_id or "",
            language=normalize_language(order.language_code),
        )
        if opened is None:
            return []
        programme, fresh = opened
        new = fresh is not None
        # An account under this email exists (a guest, or not yet attached to the user id): lock it.
        account = fresh or lock_member(
            installation=order.installation,
            channel_slug=order.channel_slug,
            email=order.user_email,
            user_id=order.user_id,
            language=order.language_code,
            user_id_missing=bool(order.user_id),
        )
    lines, fulfilled = _lines_for_earning(order)
    keys = {line.line_id: f"earn:{order.saleor_id}:{line.line_id}" for line in lines}
    # A new account has no entries yet; an existing one is checked after its lock was granted.
    done = set() if new else ledger.written_keys(account, list(keys.values()))
    if done and len(done) == len(keys):
        return []
    rules, tiers = selectors.earning_terms(programme)
    earnings = policies.order_earnings(
        lines,
        share=policies.paid_share(paid_with_money=_paid_with_money(order), order_total=order.total_gross),
        points_per_unit=programme.points_per_unit,
        rules=rules,
        tier_multiplier=_tier_multiplier(account, programme, tiers, new=new, now=current),
        order_cap=programme.max_points_per_order,
    )
    release_at = _vesting_time(order, now=current, fulfilled=fulfilled)
    items = []
    total = account.available_points + account.pending_points
    for earning in earnings:
        key = keys[earning.line_id]
        if key in done:
            continue
        points = policies.capped_by_balance(
            earning.points, current_total=total, max_balance=programme.max_balance
        )
        if points <= 0:
            continue
        total += points
        items.append(
            {
                "key": key,
                "points": points,
                "base_amount": earning.base_amount,
                "order_saleor_id": order.saleor_id,
                "order_line_saleor_id": earning.line_id,
                "line_quantity": earning.quantity,
                "reference": order.number,
            }
        )
    created = ledger.add_pending_lots(account, items, now=current, release_at=release_at, actor=actor)
    if programme.first_order_points and selectors.is_first_paid_order(order):
        _award_action_locked(
            account,
            programme,
            action="first_order",
            reference=order.saleor_id,
            actor=actor,
            now=current,
            order=order,
            release_at=release_at,
            release_known=True,
            checked=new,
        )
    earned = sum(item["points"] for item in items)
    if earned > 0:
        notify(
            installation=order.installation,
            event="loyalty_points_earned",
            recipient_email=account.email,
            dedupe_key=f"loyalty-earned:{order.saleor_id}",
            language=order.language_code,
            context={
                "points": earned,
                "order_number": order.number,
                "available_on": release_at.date().isoformat() if release_at else "",
            },
            subject_type="loyalty_account",
            subject_id=account.pk,
        )
    return created


@transaction.atomic
def refresh_release_dates(*, order: Order, now: datetime | None = None) -> int:
    """Fulfillment changed: pending lots of the order vest when its return window closes."""
    pending = Lot.objects.filter(
        account__installation=order.installation, order_saleor_id=order.saleor_id, status=LotStatus.PENDING
    )
    if not pending.exists():
        return 0
    release_at = release_time(order, now=now or clock())
    return pending.exclude(release_at=release_at).update(release_at=release_at)


def release_due_lots(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Beat task: pending lots whose return window closed become available (one transaction per account)."""
    current = now or clock()
    due = list(
        Lot.objects.filter(status=LotStatus.PENDING, release_at__lte=current).values_list(
            "account_id", "pk", "account__installation_id", "order_saleor_id"
        )[:limit]
    )
    by_account: dict[int, list[int]] = defaultdict(list)
    orders: set[tuple[int, str]] = set()
    for account_id, lot_id, installation_id, order_saleor_id in due:
        by_account[account_id].append(lot_id)
        if order_saleor_id:
            orders.add((installation_id, order_saleor_id))
    # Lines returned for store credit since the last refund webhook must not vest.
    for installation_id, order_saleor_id in sorted(orders):
        order = Order.objects.filter(installation_id=installation_id, saleor_id=order_saleor_id).first()
        if order is not None:
            reverse_refunded_lines(order=order, actor=Actor.system("loyalty"), now=current)
    released = 0
    for account_id, lot_ids in by_account.items():
        released += release_lots(account_id=account_id, lot_ids=lot_ids, now=current)
    return released


@transaction.atomic
def release_lots(*, account_id: int, lot_ids: list[int], now: datetime) -> int:
    account = ledger.lock_account(account_id)
    programme = selectors.programme_for(account.installation, account.channel_slug)
    expiry_days = programme.lot_expiry_days if programme else 365
    count = 0
    for lot in Lot.objects.filter(
        pk__in=lot_ids, account=account, status=LotStatus.PENDING, release_at__lte=now
    ):
        if ledger.release_lot(account, lot, now=now, expiry_days=expiry_days, actor=Actor.system("loyalty")):
            count += 1
    return count


def _order_lots_by_account(order: Order) -> dict[int, list[Lot]]:
    lots: dict[int, list[Lot]] = defaultdict(list)
    for lot in Lot.objects.filter(account__installation=order.installation, order_saleor_id=order.saleor_id):
        lots[lot.account_id].append(lot)
    return lots


def refunded_quantities(order: Order) -> dict[str, int]:
    """{order line id: units refunded}: Saleor's successful granted refunds (ours and staff's) plus units
    settled as store credit by a return (those move no money in Saleor, so no granted refund shows them)."""
    from ..returns.models import RequestKind, Resolution, ReturnLine, ReturnStatus

    refunded: dict[str, int] = defaultdict(int)
    for grant in order.granted_refunds.all():
        if grant.status != "SUCCESS":
            continue
        for item in grant.lines or []:
            if item.get("order_line_id"):
                refunded[item["order_line_id"]] += int(item.get("quantity") or 0)
    credited = ReturnLine.objects.filter(
        request__order=order,
        request__status=ReturnStatus.RESOLVED,
        request__resolution=Resolution.STORE_CREDIT,
    ).values_list("order_line__saleor_id", "received_quantity", "approved_quantity", "request__kind")
    for line_id, received, approved, kind in credited:
        refunded[line_id] += approved if kind == RequestKind.CLAIM else received
    return refunded


def refunded_without_lines(order: Order) -> Decimal:
    """Money refunded on the order that names no lines: successful granted refunds without lines (less the
    shipping they include) plus transaction refunds no granted refund accounts for (a refund made directly on
    the payment). Those cannot be tied to lines, so they reverse points in proportion (policies.reversal_target).
    """
    grants = list(order.granted_refunds.all())
    amount_only = sum(
        (
            max(grant.amount - (order.shipping_gross if grant.shipping_costs_included else 0), Decimal("0"))
            for grant in grants
            if grant.status == "SUCCESS" and not grant.lines
        ),
        Decimal("0"),
    )
    # Money of grants still in flight is not "direct": it counts once its grant succeeds (by lines or amount).
    granted = sum((grant.amount for grant in grants if grant.status != "FAILURE"), Decimal("0"))
    on_transactions = sum(
        (Decimal(str(t.get("refunded") or "0")) for t in order.transactions or []), Decimal("0")
    )
    return amount_only + max(on_transactions - granted, Decimal("0"))


def goods_paid_with_money(order: Order) -> Decimal:
    """What the customer paid with money for the goods (shipping's share of the payment taken out)."""
    paid = _paid_with_money(order)
    if order.total_gross <= 0:
        return Decimal("0")
    return paid * (order.total_gross - order.shipping_gross) / order.total_gross


@transaction.atomic
def reverse_refunded_lines(
    *, order: Order, actor: Actor, now: datetime | None = None, full: bool = False
) -> list[LedgerEntry]:
    """Reverse exactly the points earned by refunded lines, at the awarded value (never the current rule).

    Per line: floor(earned x refunded units / units), all of it once every unit is refunded; refunds naming no
    lines add floor(earned x refunded amount / goods paid) per line (never beyond what the line earned); `full`
    (order fully refunded) reverses every purchase lot and the first-order reward of the order.
    """
    current = now or clock()
    refunded = refunded_quantities(order)
    share = policies.refund_share(
        refunded_without_lines=refunded_without_lines(order), goods_paid=goods_paid_with_money(order)
    )
    entries = []
    for account_id, lots in sorted(_order_lots_by_account(order).items()):
        account = ledger.lock_account(account_id)
        for lot in lots:
            lot = Lot.objects.get(pk=lot.pk)
            if full:
                target = lot.points
            elif lot.source == LotSource.PURCHASE:
                target = policies.reversal_target(
                    earned=lot.points,
                    quantity=lot.line_quantity,
                    refunded_quantity=refunded.get(lot.order_line_saleor_id, 0),
                    refunded_share=share,
                )
            else:
                continue
            delta = target - lot.reversal_applied
            if delta <= 0:
                continue
            entry = ledger.reverse_lot(
                account,
                lot,
                delta,
                key=f"reverse:{lot.pk}:{target}",
                now=current,
                actor=actor,
                note=f"Order #{order.number} refunded.",
            )
            if entry is not None:
                entries.append(entry)
    return entries


@transaction.atomic
def cancel_order_points(*, order: Order, actor: Actor, now: datetime | None = None) -> list[LedgerEntry]:
    """ORDER_CANCELLED: reverse everything the order earned and restore the lots spent on it (same expiry)."""
    current = now or clock()
    entries = reverse_refunded_lines(order=order, actor=actor, now=current, full=True)
    redemptions = LedgerEntry.objects.filter(
        installation=order.installation, order_saleor_id=order.saleor_id, type=EntryKind.REDEEM
    ).order_by("account_id", "id")
    for redemption in redemptions:
        account = ledger.lock_account(redemption.account_id)
        entry = ledger.restore_allocations(
            account,
            redemption,
            key=f"restore:{redemption.pk}",
            now=current,
            actor=actor,
            note=f"Order #{order.number} cancelled.",
        )
        if entry is not None:
            entries.append(entry)
    return entries


# --- action rewards -------------------------------------------------------------------------------------------


def _programme_for_action(installation: Installation, email: str, user_id: str | None) -> Programme | None:
    """The customer's latest ordering channel with an active programme, else the oldest active programme."""
    orders = Order.objects.filter(installation=installation)
    latest = (
        (orders.filter(user_id=user_id) if user_id else orders.filter(user_email__iexact=email))
        .order_by("-placed_at", "-id")
        .values_list("channel_slug", flat=True)
        .first()
    )
    if latest:
        programme = selectors.active_programme(installation, latest)
        if programme is not None:
            return programme
    return Programme.objects.filter(installation=installation, is_active=True).order_by("id").first()


def _action_key(action: str, reference: str) -> str:
    return f"action:{action}:{reference}"


def _award_action_locked(
    account: Account,
    programme: Programme,
    *,
    action: str,
    reference: str,
    actor: Actor,
    now: datetime,
    order: Order | None = None,
    release_at: datetime | None = None,
    release_known: bool = False,
    checked: bool = False,
) -> LedgerEntry | None:
    """`checked`: the caller already looked the key up under the lock (or the account is new);
    `release_known`: `release_at` is when the order's points vest (the caller computed it already)."""
    key = _action_key(action, reference)
    found = None if checked else ledger.existing_entry(account, key)
    if found is not None:
        return found
    points = policies.capped_by_balance(
        int(getattr(programme, f"{action}_points")),
        current_total=account.available_points + account.pending_points,
        max_balance=programme.max_balance,
    )
    if points <= 0:
        return None
    # The first-order reward vests with the order (a cancelled or fully refunded first order takes it back).
    pending = order is not None
    return ledger.add_lot(
        account,
        key=key,
        source=LotSource.ACTION,
        points=points,
        now=now,
        expiry_days=programme.lot_expiry_days,
        actor=actor,
        pending=pending,
        release_at=(release_at if release_known else release_time(order, now=now))
        if order is not None
        else None,
        order_saleor_id=order.saleor_id if order is not None else "",
        action=action,
        reference=reference,
        checked=True,
    )


@transaction.atomic
def award_action_points(
    *,
    installation: Installation,
    customer_email: str,
    customer_user_id: str | None,
    action: str,
    reference: str,
    actor: Actor,
    channel_slug: str | None = None,
) -> LedgerEntry | None:
    """Points for sign-up, first order, a completed survey, a product review or a birthday (public: other
    capabilities call it, e.g. surveys with action="survey_completed", reference=<survey response id>).

    `action` is one of policies.ACTIONS ("signup", "first_order", "survey_completed", "product_review",
    "birthday") or an alias of one (policies.ACTION_ALIASES: "review_reported" = "product_review"). Idempotent per (action, reference): the same call again returns the first entry. None when the
    programme gives 0 points for the action or is off. `channel_slug` defaults to the customer's latest ordering
    channel. Raises DomainError UNKNOWN_ACTION / REQUIRED / INVALID for bad input (nothing written).
    """
    email, user_id = customer_email, customer_user_id
    action = policies.canonical_action(action)
    if action not in policies.ACTIONS:
        raise DomainError(error_codes.UNKNOWN_ACTION, f"Unknown action {action!r}.", "action")
    if not email and not user_id:
        raise DomainError("REQUIRED", "An email or a user id is required.", "email")
    if not reference or len(reference) > 200:
        raise DomainError("INVALID", "A reference of at most 200 characters is required.", "reference")
    if channel_slug and user_id and action != "first_order":
        # Hot path: the member exists; account, programme and the idempotency key in one locked read.
        locked = ledger.lock_for_write(
            key=_action_key(action, reference),
            installation_id=installation.pk,
            channel_slug=channel_slug,
            user_id=user_id,
        )
        if locked is not None:
            if locked.existing_entry_id is not None:
                return locked.existing()
            terms = locked.programme
            if terms is None or not terms.is_active or not getattr(terms, f"{action}_points"):
                return None
            return _award_action_locked(
                locked.account,
                terms,
                action=action,
                reference=reference,
                actor=actor,
                now=clock(),
                checked=True,
            )
    programme = (
        selectors.active_programme(installation, channel_slug)
        if channel_slug
        else _programme_for_action(installation, email, user_id)
    )
    if programme is None or not getattr(programme, f"{action}_points"):
        return None
    if not email:
        existing = selectors.account_of(installation, programme.channel_slug, user_id=user_id or "")
        if existing is None:
            return None
        email = existing.email
    account = lock_member(
        installation=installation, channel_slug=programme.channel_slug, email=email, user_id=user_id or ""
    )
    order = None
    if action == "first_order":
        order = Order.objects.filter(installation=installation, saleor_id=reference).first()
    return _award_action_locked(
        account, programme, action=action, reference=reference, actor=actor, now=clock(), order=order
    )


@transaction.atomic
def set_birthday(
    *,
    installation: Installation,
    channel_slug: str,
    email: str,
    user_id: str,
    month: int,
    day: int,
    actor: Actor,
    now: datetime | None = None,
) -> Account:
    """The customer's birthday (month and day) for the birthday reward: set once, then changeable once a year."""
    current = now or clock()
    if not policies.valid_birthday(int(month), int(day)):
        raise DomainError(error_codes.BIRTHDAY_INVALID, "Not a day of the calendar.", "day")
    if selectors.active_programme(installation, channel_slug) is None:
        raise DomainError(error_codes.PROGRAMME_INACTIVE, "The channel has no loyalty programme.", "channel")
    account = lock_member(installation=installation, channel_slug=channel_slug, email=email, user_id=user_id)
    if (account.birth_month, account.birth_day) == (month, day):
        return account
    if not policies.can_change_birthday(set_at=account.birthday_set_at, now=current):
        raise DomainError(
            error_codes.BIRTHDAY_CHANGE_TOO_SOON,
            "The birthday can be changed once a year.",
            "month",
        )
    account.birth_month, account.birth_day, account.birthday_set_at = month, day, current
    account.save(update_fields=["birth_month", "birth_day", "birthday_set_at", "updated_at"])
    return account


def award_birthdays(*, now: datetime | None = None) -> int:
    """Beat task (daily): the birthday reward for members whose birthday is today (UTC), at most once per
    calendar year per account (reference "<account>:<year>", so changing the date cannot earn it twice)."""
    current = now or clock()
    today = current.date()
    days = policies.birthdays_celebrated_on(today)
    from django.db.models import Q

    which = Q(pk__in=[])
    for month, day in days:
        which |= Q(birth_month=month, birth_day=day)
    programmes = {
        (p.installation_id, p.channel_slug): p
        for p in Programme.objects.filter(is_active=True, birthday_points__gt=0)
    }
    awarded = 0
    for account in Account.objects.filter(which).select_related("installation").order_by("id"):
        reference = f"{account.pk}:{today.year}"
        if (account.installation_id, account.channel_slug) not in programmes or ledger.existing_entry(
            account, _action_key("birthday", reference)
        ):
            continue
        entry = award_action_points(
            installation=account.installation,
            customer_email=account.email,
            customer_user_id=account.user_id or None,
            action="birthday",
            reference=reference,
            actor=Actor.system("loyalty"),
            channel_slug=account.channel_slug,
        )
        awarded += entry is not None
    return awarded


# --- redemption, claims ---------------------------------------------------------------------------------------


def _check_can_redeem(account: Account, programme: Programme, points: int) -> None:
    if account.available_points < 0:
        raise DomainError(
            error_codes.NEGATIVE_BALANCE, "A negative balance must be paid off before redeeming.", "points"
        )
    if account.available_points < programme.min_redemption_points:
        raise DomainError(
            error_codes.BELOW_MINIMUM_REDEMPTION,
            f"Redeeming starts at {programme.min_redemption_points} available points.",
            "points",
        )
    if account.available_points < points:
        raise DomainError(
            error_codes.INSUFFICIENT_POINTS,
            f"{points} points needed, {account.available_points} available.",
            "points",
        )


@transaction.atomic
def redeem_points(
    *,
    account: Account,
    points: int,
    idempotency_key: str,
    actor: Actor,
    reference: str = "",
    order_saleor_id: str = "",
    now: datetime | None = None,
) -> LedgerEntry:
    """Spend available points FEFO (optionally on an order: cancelling it restores these very lots)."""
    current = now or clock()
    if points <= 0 or points > policies.MAX_ADJUSTMENT:
        raise DomainError("OUT_OF_RANGE", "Points must be between 1 and 1 000 000.", "points")
    key = f"redeem:{idempotency_key}"
    locked = ledger.lock_for_write(key=key, account_id=account.pk, due_at=current)
    if locked is None:
        raise NotFoundError("Unknown loyalty account.", "accountId")
    if locked.existing_entry_id is not None:
        return locked.existing()  # type: ignore[return-value]
    programme, account = locked.programme, locked.account
    if programme is None or not programme.is_active:
        raise DomainError(error_codes.PROGRAMME_INACTIVE, "The loyalty programme is off.", "channel")
    if not locked.lots_past_due:
        # Hot path: nothing to expire first, so the balance is what the lots hold; plan and write in one go.
        _check_can_redeem(account, programme, points)
        entry = ledger.redeem_fefo(
            account, points, key=key, actor=actor, reference=reference, order_saleor_id=order_saleor_id
        )
        if entry is not None:
            return entry
    lots = ledger.spendable_lots(account, now=current, points=points, actor=Actor.system("loyalty"))
    _check_can_redeem(account, programme, points)
    return ledger.consume(
        account,
        points,
        key=key,
        now=current,
        actor=actor,
        reference=reference,
        order_saleor_id=order_saleor_id,
        lots=lots,
        checked=True,
    )


def _voucher_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "LOY-" + "".join(secrets.choice(alphabet) for _ in range(10))


def _channel_id(installation: Installation, channel_slug: str) -> str:
    channel_id = (
        Order.objects.filter(installation=installation, channel_slug=channel_slug)
        .exclude(channel_id="")
        .values_list("channel_id", flat=True)
        .first()
    )
    if not channel_id:
        raise DomainError(error_codes.CHANNEL_UNKNOWN, "The channel is not known yet.", "channel")
    return channel_id


def _claim_operation(claim: RewardClaim, reward: Reward, account: Account, key: str, now: datetime) -> tuple:
    valid_until = claim.valid_until or now + timedelta(days=reward.validity_days)
    if reward.kind == RewardKind.GIFT_CARD:
        payload: dict = {
            "balance": {"amount": str(reward.value), "currency": reward.currency},
            "isActive": True,
            "expiryDate": valid_until.date().isoformat(),
            "addTags": [key, "loyalty-reward"],
            "metadata": [
                {"key": METADATA_KEY, "value": key},
                {"key": "loyalty_claim", "value": str(claim.pk)},
            ],
            "note": f"Loyalty reward: {reward.name_en} ({claim.points} points)",
        }
        if account.user_id:
            payload["assignedTo"] = account.user_id
        return "GiftCardCreateLoyaltyReward", {"input": payload}, ON_GIFT_CARD_ISSUED
    voucher_type = "SHIPPING" if reward.kind == RewardKind.FREE_SHIPPING else "ENTIRE_ORDER"
    value_type = "FIXED" if reward.kind == RewardKind.FIXED_VOUCHER else "PERCENTAGE"
    payload = {
        "name": f"Loyalty reward: {reward.name_en}",
        "type": voucher_type,
        "discountValueType": value_type,
        "addCodes": [claim.code],
        "singleUse": True,
        "usageLimit": 1,
        "applyOncePerCustomer": True,
        "startDate": now.isoformat(),
        "endDate": valid_until.isoformat(),
    }
    return "VoucherCreateLoyaltyReward", {"input": payload}, ON_VOUCHER_CREATED


def voucher_listing_variables(claim: RewardClaim, voucher_id: str) -> dict:
    reward = claim.reward
    value = Decimal("100") if reward.kind == RewardKind.FREE_SHIPPING else reward.value
    listing: dict = {
        "channelId": _channel_id(claim.installation, reward.channel_slug),
        "discountValue": str(value),
    }
    if reward.min_order_amount is not None:
        listing["minAmountSpent"] = str(reward.min_order_amount)
    return {"id": voucher_id, "input": {"addChannels": [listing]}}


@transaction.atomic
def claim_reward(
    *,
    installation: Installation,
    reward_id: int,
    channel_slug: str | None,
    idempotency_key: str,
    user_id: str,
    email: str,
    actor: Actor,
    now: datetime | None = None,
) -> RewardClaim:
    """Deduct the points and issue the reward in Saleor exactly once (outbox); the same key returns the claim."""
    current = now or clock()
    key_text = (idempotency_key or "").strip()
    if not key_text or len(key_text) > MAX_KEY_LENGTH:
        raise DomainError(
            "INVALID", f"An idempotency key of 1-{MAX_KEY_LENGTH} characters is required.", "idempotencyKey"
        )
    reward = Reward.objects.filter(installation=installation, pk=reward_id).first()
    if reward is None or not reward.is_active:
        raise DomainError(error_codes.REWARD_NOT_FOUND, "Unknown reward.", "rewardId")
    if channel_slug and reward.channel_slug != channel_slug:
        raise DomainError(
            error_codes.REWARD_CHANNEL_MISMATCH, "This reward belongs to another channel.", "rewardId"
        )
    if (reward.available_until and reward.available_until <= current) or (
        reward.available_from and reward.available_from > current
    ):
        raise DomainError(error_codes.REWARD_EXPIRED, "This reward is not available now.", "rewardId")
    programme = selectors.active_programme(installation, reward.channel_slug)
    if programme is None:
        raise DomainError(error_codes.PROGRAMME_INACTIVE, "The loyalty programme is off.", "rewardId")
    account = selectors.account_of(installation, reward.channel_slug, user_id=user_id, email=email)
    if account is None:
        raise DomainError(
            error_codes.INSUFFICIENT_POINTS, f"{reward.points_cost} points needed, 0 available.", "rewardId"
        )
    account = ledger.lock_account(account.pk)
    existing = RewardClaim.objects.filter(account=account, idempotency_key=key_text).first()
    if existing is not None:
        if existing.reward_id != reward.pk:
            raise DomainError(
                "DUPLICATE", "This idempotency key was used for another reward.", "idempotencyKey"
            )
        return existing
    lots = ledger.spendable_lots(
        account, now=current, points=reward.points_cost, actor=Actor.system("loyalty")
    )
    _check_can_redeem(account, programme, reward.points_cost)
    if (
        reward.per_customer_limit is not None
        and selectors.claims_counted_for_limit(account, reward) >= reward.per_customer_limit
    ):
        raise DomainError(
            error_codes.CLAIM_LIMIT_REACHED,
            "You have already claimed this reward the maximum number of times.",
            "rewardId",
        )
    if reward.kind != RewardKind.GIFT_CARD:
        _channel_id(installation, reward.channel_slug)  # fail now, not after the points are gone
    entry = ledger.consume(
        account,
        reward.points_cost,
        key=f"claim:{key_text}",
        now=current,
        actor=actor,
        reference=f"reward:{reward.pk}",
        note=reward.name_en,
        lots=lots,
    )
    claim = RewardClaim.objects.create(
        installation=installation,
        account=account,
        reward=reward,
        idempotency_key=key_text,
        points=reward.points_cost,
        code="" if reward.kind == RewardKind.GIFT_CARD else _voucher_code(),
        valid_until=current + timedelta(days=reward.validity_days),
        redeem_entry=entry,
    )
    outbox_key = f"loyalty-claim:{claim.pk}"
    operation, variables, on_success = _claim_operation(claim, reward, account, outbox_key, current)
    enqueue(
        installation=installation,
        idempotency_key=outbox_key,
        operation=operation,
        variables=variables,
        subject_type=SUBJECT,
        subject_id=claim.pk,
        on_success=on_success,
        on_failure=ON_CLAIM_FAILED,
    )
    return claim


def claim_for_message(message) -> RewardClaim | None:
    return (
        RewardClaim.objects.select_for_update()
        .select_related("reward", "account", "installation")
        .filter(pk=int(message.subject_id))
        .first()
        if message.subject_type == SUBJECT and message.subject_id
        else None
    )


def mark_claim_issued(*, claim: RewardClaim, saleor_object_id: str, code: str = "") -> RewardClaim:
    if claim.status == ClaimStatus.ISSUED:
        return claim
    claim.status = ClaimStatus.ISSUED
    claim.saleor_object_id = saleor_object_id or claim.saleor_object_id
    claim.code = code or claim.code
    claim.issued_at = clock()
    claim.error = ""
    claim.save(update_fields=["status", "saleor_object_id", "code", "issued_at", "error", "updated_at"])
    if claim.account.email:
        notify(
            installation=claim.installation,
            event="loyalty_reward_issued",
            recipient_email=claim.account.email,
            dedupe_key=f"loyalty-reward-issued:{claim.pk}",
            language=claim.account.language,
            context={
                "reward_en": claim.reward.name_en,
                "reward_zh_hans": claim.reward.name_zh_hans,
                "code": claim.code,
                "points": claim.points,
            },
            subject_type=SUBJECT,
            subject_id=claim.pk,
        )
    return claim


def fail_claim(*, claim: RewardClaim, error: str) -> RewardClaim:
    """Saleor refused (or the retries ran out): the claim fails and its points go back to the same lots."""
    if claim.status != ClaimStatus.PENDING:
        return claim
    account = ledger.lock_account(claim.account_id)
    ledger.restore_allocations(
        account,
        claim.redeem_entry,
        key=f"claim-refund:{claim.pk}",
        now=clock(),
        actor=Actor.system("loyalty"),
        note="The reward could not be issued; points refunded.",
    )
    claim.status = ClaimStatus.FAILED
    claim.error = error[:2000]
    claim.save(update_fields=["status", "error", "updated_at"])
    return claim


@transaction.atomic
def mark_rewards_used(
    *,
    installation: Installation,
    order_saleor_id: str,
    order_number: str = "",
    voucher_codes: list[str] | tuple[str, ...] = (),
    gift_card_ids: list[str] | tuple[str, ...] = (),
    now: datetime | None = None,
) -> int:
    """An order used reward codes at checkout (its `voucherCode` / `giftCards`): the issued claims behind them
    are marked used by that order (first use wins; re-deliveries change nothing). Returns how many were marked."""
    codes = [code.strip().upper() for code in voucher_codes if code and code.strip()]
    ids = [gift_card_id for gift_card_id in gift_card_ids if gift_card_id]
    if not order_saleor_id or not (codes or ids):
        return 0
    from django.db.models import Q

    cancelled = Order.objects.filter(installation=installation, saleor_id=order_saleor_id).filter(
        Q(cancelled_at__isnull=False) | Q(status="CANCELED")
    )
    if cancelled.exists():
        return 0  # a late ORDER_UPDATED of a cancelled order must not take the codes again
    which = Q(pk__in=[])
    if codes:
        which |= Q(code__in=codes) & ~Q(reward__kind=RewardKind.GIFT_CARD)
    if ids:
        which |= Q(saleor_object_id__in=ids, reward__kind=RewardKind.GIFT_CARD)
    return RewardClaim.objects.filter(
        which, installation=installation, status=ClaimStatus.ISSUED, used_at__isnull=True
    ).update(
        used_at=now or clock(),
        used_order_saleor_id=order_saleor_id,
        used_order_number=order_number[:32],
        updated_at=clock(),
    )


@transaction.atomic
def release_rewards_used(*, installation: Installation, order_saleor_id: str) -> int:
    """ORDER_CANCELLED: reward codes the order used at checkout are free again (Saleor gives a cancelled order's
    voucher usage and gift card balance back), so their claims are no longer marked used by it. Idempotent;
    returns how many claims were released."""
    if not order_saleor_id:
        return 0
    return RewardClaim.objects.filter(
        installation=installation, used_order_saleor_id=order_saleor_id, used_at__isnull=False
    ).update(used_at=None, used_order_saleor_id="", used_order_number="", updated_at=clock())


# --- staff ----------------------------------------------------------------------------------------------------


@transaction.atomic
def adjust_points(
    *,
    account: Account,
    points: int,
    reason: str,
    actor: Actor,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> LedgerEntry:
    """A staff correction with a reason, audited on the entry, within the staff member's daily limit."""
    current = now or clock()
    if not actor.is_staff:
        raise PermissionDeniedError("Staff only.")
    if points == 0 or abs(points) > policies.MAX_ADJUSTMENT:
        raise DomainError(
            "OUT_OF_RANGE", "Points must be non-zero and at most 1 000 000 either way.", "points"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REQUIRED", "Give a reason for the adjustment.", "reason")
    if len(reason) > 500:
        raise DomainError("TOO_LONG", "The reason is limited to 500 characters.", "reason")
    programme = selectors.programme_for(account.installation, account.channel_slug)
    if programme is None:
        raise DomainError(
            error_codes.PROGRAMME_INACTIVE, "The channel has no loyalty programme.", "accountId"
        )
    account = ledger.lock_account(account.pk)
    key = f"adjust:{idempotency_key or uuid.uuid4().hex}"
    found = ledger.existing_entry(account, key)
    if found is not None:
        return found
    limit = selectors.staff_daily_limit(account.installation, programme, actor.user_id)
    used = selectors.staff_adjusted_today(account.installation, actor.user_id, now=current)
    if used + abs(points) > limit:
        raise DomainError(
            error_codes.ADJUSTMENT_LIMIT_EXCEEDED,
            f"Your adjustment limit is {limit} points a day; {max(limit - used, 0)} left today.",
            "points",
        )
    if points > 0:
        return ledger.add_lot(
            account,
            key=key,
            source=LotSource.ADJUSTMENT,
            points=points,
            now=current,
            expiry_days=programme.lot_expiry_days,
            actor=actor,
            note=reason,
        )
    ledger.expire_due(account, now=current, actor=Actor.system("loyalty"))
    if account.available_points < -points:
        raise DomainError(
            error_codes.INSUFFICIENT_POINTS,
            f"Only {max(account.available_points, 0)} points can be removed.",
            "points",
        )
    return ledger.consume(
        account, -points, key=key, now=current, actor=actor, kind=EntryKind.ADJUST, note=reason
    )


def _check_points_field(value, field: str, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if value is None or int(value) < 0 or int(value) > policies.MAX_ADJUSTMENT:
        raise DomainError("OUT_OF_RANGE", "Must be between 0 and 1 000 000.", field)


PROGRAMME_FIELDS = (
    "is_active",
    "currency",
    "points_per_unit",
    "point_value",
    "lot_expiry_days",
    "signup_points",
    "first_order_points",
    "survey_completed_points",
    "product_review_points",
    "birthday_points",
    "max_points_per_order",
    "max_balance",
    "min_redemption_points",
    "tier_basis",
    "expiry_notice_days",
    "staff_daily_adjustment_limit",
)


@transaction.atomic
def save_programme(*, installation: Installation, channel_slug: str, actor: Actor, values: dict) -> Programme:
    channel_slug = (channel_slug or "").strip()
    if not channel_slug:
        raise DomainError("REQUIRED", "A channel is required.", "channel")
    for name in (
        "signup_points",
        "first_order_points",
        "survey_completed_points",
        "product_review_points",
        "birthday_points",
        "min_redemption_points",
        "staff_daily_adjustment_limit",
    ):
        if name in values:
            _check_points_field(values[name], name)
    for name in ("max_points_per_order", "max_balance"):
        if name in values:
            _check_points_field(values[name], name, allow_none=True)
    for name in ("points_per_unit", "point_value"):
        if name in values and (
            values[name] is None or not Decimal("0") <= Decimal(values[name]) <= Decimal("10000")
        ):
            raise DomainError("OUT_OF_RANGE", "Must be between 0 and 10 000.", name)
    if "lot_expiry_days" in values and not 1 <= int(values["lot_expiry_days"] or 0) <= 3650:
        raise DomainError("OUT_OF_RANGE", "Lots expire after 1 to 3650 days.", "lotExpiryDays")
    if "expiry_notice_days" in values and not 0 <= int(values["expiry_notice_days"] or 0) <= 365:
        raise DomainError("OUT_OF_RANGE", "Notice 0 to 365 days before expiry.", "expiryNoticeDays")
    if "currency" in values and (not values["currency"] or len(values["currency"]) != 3):
        raise DomainError("INVALID", "An ISO 4217 currency code.", "currency")
    programme, _ = Programme.objects.get_or_create(installation=installation, channel_slug=channel_slug)
    for name in PROGRAMME_FIELDS:
        if name in values:
            setattr(programme, name, values[name].upper() if name == "currency" else values[name])
    programme.save()
    programme.refresh_from_db()
    return programme


@transaction.atomic
def set_earn_rule(*, programme: Programme, scope: str, target_id: str, multiplier: Decimal) -> EarnRule:
    if scope not in policies.SCOPE_PRECEDENCE:
        raise DomainError("INVALID", "Scope: product, category or product_type.", "scope")
    if not target_id:
        raise DomainError("REQUIRED", "A Saleor id is required.", "targetId")
    if not Decimal("0") <= multiplier <= Decimal("100"):
        raise DomainError("OUT_OF_RANGE", "Multiplier between 0 (excluded) and 100.", "multiplier")
    rule, _ = EarnRule.objects.update_or_create(
        programme=programme, scope=scope, target_id=target_id, defaults={"multiplier": multiplier}
    )
    rule.refresh_from_db()
    return rule


@transaction.atomic
def save_tier(*, programme: Programme, code: str, values: dict) -> Tier:
    if not code or len(code) > 32:
        raise DomainError("INVALID", "A code of 1-32 characters.", "code")
    if Decimal(values.get("threshold") or 0) < 0:
        raise DomainError("OUT_OF_RANGE", "The threshold cannot be negative.", "threshold")
    if not Decimal("0") < Decimal(values.get("multiplier") or 1) <= Decimal("100"):
        raise DomainError("OUT_OF_RANGE", "Multiplier above 0, at most 100.", "multiplier")
    if not values.get("name_en") or not values.get("name_zh_hans"):
        raise DomainError("REQUIRED", "Names in English and Simplified Chinese are required.", "nameEn")
    tier, _ = Tier.objects.update_or_create(programme=programme, code=code, defaults=values)
    return tier


@transaction.atomic
def save_reward(*, installation: Installation, reward: Reward | None, values: dict) -> Reward:
    reward = reward or Reward(installation=installation)
    for name, value in values.items():
        setattr(reward, name, value)
    if reward.kind not in RewardKind.values:
        raise DomainError("INVALID", "Unknown reward kind.", "kind")
    if not reward.channel_slug:
        raise DomainError("REQUIRED", "A channel is required.", "channel")
    if not reward.name_en or not reward.name_zh_hans:
        raise DomainError("REQUIRED", "Names in English and Simplified Chinese are required.", "nameEn")
    if not 1 <= int(reward.points_cost or 0) <= policies.MAX_ADJUSTMENT:
        raise DomainError("OUT_OF_RANGE", "The cost is 1 to 1 000 000 points.", "pointsCost")
    if reward.kind == RewardKind.PERCENTAGE_VOUCHER and not Decimal("0") < reward.value <= Decimal("100"):
        raise DomainError("OUT_OF_RANGE", "A percentage above 0, at most 100.", "value")
    if reward.kind in (RewardKind.GIFT_CARD, RewardKind.FIXED_VOUCHER) and not (
        Decimal("0") < reward.value <= Decimal("100000")
    ):
        raise DomainError("OUT_OF_RANGE", "An amount above 0, at most 100 000.", "value")
    if not 1 <= int(reward.validity_days or 0) <= 3650:
        raise DomainError("OUT_OF_RANGE", "Validity of 1 to 3650 days.", "validityDays")
    if reward.available_from and reward.available_until and reward.available_until <= reward.available_from:
        raise DomainError("INVALID", "The end must be after the start.", "availableUntil")
    reward.currency = (reward.currency or "").upper()
    reward.save()
    return reward


@transaction.atomic
def set_staff_limit(
    *, installation: Installation, staff_user_id: str, daily_points: int
) -> StaffAdjustmentLimit:
    _check_points_field(daily_points, "dailyPoints")
    if not staff_user_id:
        raise DomainError("REQUIRED", "A staff user id is required.", "staffUserId")
    row, _ = StaffAdjustmentLimit.objects.update_or_create(
        installation=installation, staff_user_id=staff_user_id, defaults={"daily_points": daily_points}
    )
    return row


# --- scheduled ------------------------------------------------------------------------------------------------


def expire_due_lots(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Beat task: lots past their expiry lose what is left (one transaction per account)."""
    current = now or clock()
    account_ids = list(
        Lot.objects.filter(status=LotStatus.AVAILABLE, remaining__gt=0, expires_at__lte=current)
        .values_list("account_id", flat=True)
        .distinct()[:limit]
    )
    expired = 0
    for account_id in account_ids:
        with transaction.atomic():
            account = ledger.lock_account(account_id)
            expired += ledger.expire_due(account, now=current, actor=Actor.system("loyalty"))
    return expired


def notify_expiring_points(*, now: datetime | None = None) -> int:
    """Beat task: tell each member once per lot that points expire within the programme's notice period."""
    current = now or clock()
    sent = 0
    for programme in Programme.objects.filter(is_active=True, expiry_notice_days__gt=0):
        horizon = current + timedelta(days=programme.expiry_notice_days)
        lots = Lot.objects.filter(
            account__installation=programme.installation_id,
            account__channel_slug=programme.channel_slug,
            status=LotStatus.AVAILABLE,
            remaining__gt=0,
            expires_at__gt=current,
            expires_at__lte=horizon,
            expiry_notified_at__isnull=True,
        ).select_related("account")
        by_account: dict[int, list[Lot]] = defaultdict(list)
        for lot in lots:
            by_account[lot.account_id].append(lot)
        for lots_of_account in by_account.values():
            with transaction.atomic():
                account = lots_of_account[0].account
                first = min(lot.expires_at for lot in lots_of_account if lot.expires_at)
                points = sum(lot.remaining for lot in lots_of_account)
                notify(
                    installation=programme.installation,
                    event="loyalty_points_expiring",
                    recipient_email=account.email,
                    dedupe_key=f"loyalty-expiring:{account.pk}:{min(lot.pk for lot in lots_of_account)}",
                    language=account.language,
                    context={
                        "points": points,
                        "expires_on": first.date().isoformat(),
                        "channel": account.channel_slug,
                    },
                    subject_type="loyalty_account",
                    subject_id=account.pk,
                )
                Lot.objects.filter(pk__in=[lot.pk for lot in lots_of_account]).update(
                    expiry_notified_at=current
                )
                sent += 1
    return sent


def account_for_staff(installation: Installation, account_id: int) -> Account:
    account = Account.objects.filter(installation=installation, pk=account_id).first()
    if account is None:
        raise NotFoundError("Unknown loyalty account.", "accountId")
    return account
