"""A Redis cache that the site survives losing.

Redis is a cache here, never the only copy of anything: when it cannot be reached, reads are
misses, writes are dropped and pages are built from the database. After a failure the cache
is left alone for ``RETRY_AFTER`` seconds, so that a down Redis costs each request nothing
rather than a connection timeout per cache call. ``incr``/``decr`` raise ``Unavailable``
instead of answering, since a counter that silently stays at zero would lift rate limits
(``cms.ratelimit`` counts in the database then).

Socket timeouts are short (``OPTIONS`` in settings), so a Redis that hangs rather than
refuses costs at most one short wait per ``RETRY_AFTER``.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 10  # seconds without trying Redis after it failed


class Unavailable(Exception):
    """The cache cannot be reached."""


def _errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def falls_back(default):
    """Run the cache call; if Redis fails (or failed moments ago), answer ``default(args)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.down():
                return default(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except _errors() as error:
                self.failed(error)
                return default(*args, **kwargs)

        return wrapper

    return decorate


def _miss(key=None, default=None, *args, **kwargs):
    return default


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


def _unavailable(*args, **kwargs):
    raise Unavailable("The cache cannot be reached.")


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with a database fallback instead of an exception."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def down(self):
        return time.monotonic() < self._down_until

    def failed(self, error):
        if not self.down():
            logger.warning("Cache unavailable, serving without it for %ss: %s", RETRY_AFTER, error)
        self._down_until = time.monotonic() + RETRY_AFTER

    def ping(self):
        """True if Redis answers now (for /healthz); a failure marks it down."""
        try:
            self._cache.get_client(write=False).ping()
        except _errors() as error:
            self.failed(error)
            return False
        self._down_until = 0.0
        return True

    get = falls_back(_miss)(RedisCache.get)
    get_many = falls_back(_empty)(RedisCache.get_many)
    has_key = falls_back(_false)(RedisCache.has_key)
    # get_or_set, incr_version... are built on these.
    add = falls_back(_false)(RedisCache.add)
    set = falls_back(_none)(RedisCache.set)
    set_many = falls_back(_all_failed)(RedisCache.set_many)
    touch = falls_back(_false)(RedisCache.touch)
    delete = falls_back(_false)(RedisCache.delete)
    delete_many = falls_back(_none)(RedisCache.delete_many)
    clear = falls_back(_false)(RedisCache.clear)
    incr = falls_back(_unavailable)(RedisCache.incr)
    decr = falls_back(_unavailable)(RedisCache.decr)
