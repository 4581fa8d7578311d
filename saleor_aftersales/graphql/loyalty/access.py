"""Who may see or act on which loyalty rows (customers: only their own account; staff: MANAGE_USERS)."""

from __future__ import annotations

from ...core.errors import DomainError, NotFoundError
from ...core.ids import from_global_id
from ...installations.permissions import SaleorPermission
from ...loyalty import error_codes
from ...loyalty.models import Account
from ..core.context import get_requestor

ACCOUNTS_PERMISSION = SaleorPermission.MANAGE_USERS
SETUP_PERMISSION = SaleorPermission.MANAGE_DISCOUNTS


def pk_of(global_id: str, type_name: str, field: str, *, code: str = "NOT_FOUND") -> int:
    try:
        kind, pk = from_global_id(global_id or "")
        if kind != type_name:
            raise ValueError(kind)
        return int(pk)
    except ValueError:
        raise DomainError(code, f"Unknown {type_name}.", field) from None


def staff_account(info, account_id: str) -> Account:
    installation = get_requestor(info).require_staff(ACCOUNTS_PERMISSION)
    pk = pk_of(account_id, "LoyaltyAccount", "accountId", code=error_codes.ACCOUNT_NOT_FOUND)
    account = Account.objects.filter(installation=installation, pk=pk).first()
    if account is None:
        # Another installation's account is indistinguishable from a missing one.
        raise NotFoundError("Unknown loyalty account.", "accountId")
    return account
