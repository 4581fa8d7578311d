"""Clock access lives here so that policies (pure functions) get `now` passed in."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
