"""Money as Decimal + ISO currency, Saleor's shape (3 decimal places, amounts as strings on the wire)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

MAX_DIGITS = 20
DECIMAL_PLACES = 3
# Currencies with no minor unit; the rest round to cents when money is shown or settled.
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"}


def currency_precision(currency: str) -> Decimal:
    return Decimal("1") if currency.upper() in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    return Decimal(str(amount)).quantize(currency_precision(currency), rounding=ROUND_HALF_UP)


def amount_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


def currency_field(**kwargs) -> models.CharField:
    return models.CharField(max_length=3, **kwargs)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0"), currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def as_saleor_input(self) -> dict:
        return {"amount": str(quantize(self.amount, self.currency)), "currency": self.currency}
