"""Request-scoped loaders for loyalty (constant SQL per list, whatever its length)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum

from ...core.time import now
from ...loyalty import policies
from ...loyalty.models import Lot, LotSource, Programme, Reward, TierBasis
from ..core.dataloaders import DataLoader, by_key


class ProgrammeByAccountLoader(DataLoader):
    """Keys: (installation id, channel slug)."""

    def batch_load(self, keys):
        query = Q(pk__in=[])
        for installation_id, channel in set(keys):
            query |= Q(installation_id=installation_id, channel_slug=channel)
        rows = {
            (p.installation_id, p.channel_slug): p
            for p in Programme.objects.filter(query).prefetch_related("tiers", "earn_rules")
        }
        return [rows.get(key) for key in keys]


class QualifyingByAccountIdLoader(DataLoader):
    """Keys: (account id, tier basis) -> the rolling 12-month tier metric (see selectors.qualifying_amount)."""

    def batch_load(self, keys):
        since = now() - timedelta(days=policies.TIER_PERIOD_DAYS)
        ids = {account_id for account_id, _ in keys}
        lots = Lot.objects.filter(
            account_id__in=ids, released_at__gte=since, source__in=[LotSource.PURCHASE, LotSource.ACTION]
        )
        bases = {basis for _, basis in keys}
        points = {}
        spend = {}
        if TierBasis.POINTS in bases:
            points = dict(
                lots.values("account_id")
                .annotate(total=Sum(F("points") - F("reversal_applied")))
                .values_list("account_id", "total")
            )
        kept = ExpressionWrapper(
            F("base_amount") * (F("points") - F("reversal_applied")) / F("points"),
            output_field=DecimalField(max_digits=20, decimal_places=3),
        )
        if TierBasis.SPEND in bases:
            spend = dict(
                lots.filter(source=LotSource.PURCHASE, points__gt=0)
                .values("account_id")
                .annotate(total=Sum(kept))
                .values_list("account_id", "total")
            )
        result = []
        for account_id, basis in keys:
            if basis == TierBasis.SPEND:
                result.append(Decimal(spend.get(account_id) or 0).quantize(Decimal("0.001")))
            else:
                result.append(Decimal(points.get(account_id) or 0))
        return result


class RewardByIdLoader(DataLoader):
    def batch_load(self, keys):
        return by_key(Reward.objects.filter(pk__in=keys), keys)


class VisibleAccountByPkLoader(DataLoader):
    """A loyalty Account by pk for `_entities`, or None when the requestor may not see it.

    Customers see the accounts under their user id, and a guest account held under their email that no user owns
    yet (the same rule as `selectors.accounts_of`); staff need MANAGE_USERS; another installation sees nothing.
    """

    def batch_load(self, keys):
        from ...installations.permissions import SaleorPermission
        from ...loyalty.models import Account

        requestor = self.context.requestor
        if requestor.installation is None:
            return [None] * len(keys)
        rows = Account.objects.filter(installation=requestor.installation, pk__in=keys)

        def visible(account):
            if account is None:
                return None
            if requestor.is_staff:
                return account if requestor.has_perm(SaleorPermission.MANAGE_USERS) else None
            if requestor.is_customer:
                actor = requestor.actor
                if actor.user_id and account.user_id == actor.user_id:
                    return account
                if not account.user_id and actor.email and account.email == actor.email.strip().lower():
                    return account
            return None

        return [visible(account) for account in by_key(rows, keys)]
