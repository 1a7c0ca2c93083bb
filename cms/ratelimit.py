"""Fixed-window rate limits: count one more request for a key, and say whether it is over.

Counts live in the cache (Redis in production: shared by every process and host). When the
cache cannot be reached they live in the database (``RateCounter``), so a Redis outage
neither lifts a limit nor takes the form down. Keys are hashed with the secret key: neither
store ever holds an address.

Windows are fixed slots of the clock (as django-ratelimit does), so a limit lifts when its
slot ends; ``Limit.retry_after()`` says how long that is.
"""

import dataclasses
import datetime
import time

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cms.cache import Unavailable
from cms.models import RateCounter


@dataclasses.dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window: int  # seconds

    def slot(self, now=None):
        return int(now if now is not None else time.time()) // self.window

    def retry_after(self, now=None):
        """Seconds until the current window ends."""
        now = int(now if now is not None else time.time())
        return self.window - now % self.window

    def key(self, value, now=None):
        digest = salted_hmac("cms.ratelimit", f"{self.name}:{value}").hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}:{self.slot(now)}"

    def hit(self, value):
        """Count one request for ``value``; True when it is over the limit."""
        key = self.key(value)
        try:
            count = _count_in_cache(key, self.window)
        except Unavailable:
            count = _count_in_database(key, self.retry_after())
        return count > self.limit


def _count_in_cache(key, window):
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired (or dropped) between add() and incr()
        cache.set(key, 1, timeout=window)
        return 1


def _count_in_database(key, seconds_left):
    now = timezone.now()
    RateCounter.objects.filter(expires_at__lt=now).delete()
    updated = RateCounter.objects.filter(key=key).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateCounter.objects.create(
                    key=key, count=1, expires_at=now + datetime.timedelta(seconds=seconds_left)
                )
        except IntegrityError:  # created by another request meanwhile
            RateCounter.objects.filter(key=key).update(count=F("count") + 1)
    return RateCounter.objects.get(key=key).count
