"""The Redis cache the site survives losing (cms.cache): a Redis that cannot be reached is a
cache miss, not an error, and is left alone for a few seconds after it failed."""

import time
from unittest import mock

from django.core.cache import caches
from django.test import SimpleTestCase, override_settings

from cms import cache as resilient
from tests.faults import RedisServer, free_port, redis_cache


def unreachable():
    return redis_cache(f"redis://127.0.0.1:{free_port()}/0")


class UnreachableRedisTestCase(SimpleTestCase):
    def test_reads_miss_and_writes_are_dropped(self):
        with override_settings(CACHES=unreachable()), self.assertLogs("cms.cache", "WARNING"):
            cache = caches["default"]
            self.assertIsNone(cache.get("k"))
            self.assertEqual(cache.get("k", "fallback"), "fallback")
            self.assertEqual(cache.get_or_set("k", lambda: 42), 42)
            self.assertIsNone(cache.set("k", 1))
            self.assertFalse(cache.add("k", 1))
            self.assertEqual(cache.get_many(["a", "b"]), {})
            self.assertFalse(cache.delete("k"))
            self.assertFalse(cache.ping())

    def test_counters_say_the_cache_is_unavailable(self):
        with (
            override_settings(CACHES=unreachable()),
            self.assertLogs("cms.cache", "WARNING"),
            self.assertRaises(resilient.Unavailable),
        ):
            caches["default"].incr("k")

    def test_after_a_failure_redis_is_not_tried_for_a_while(self):
        with override_settings(CACHES=unreachable()), self.assertLogs("cms.cache", "WARNING"):
            cache = caches["default"]
            cache.get("k")
            with mock.patch.object(cache._cache, "get", side_effect=AssertionError("tried")):
                for _ in range(100):
                    self.assertIsNone(cache.get("k"))


def test_the_cache_comes_back_when_redis_does():
    redis = RedisServer()
    with override_settings(CACHES=redis_cache(redis.url)):
        cache = caches["default"]
        assert cache.get("k", "miss") == "miss"  # not started yet: a miss, no error
        redis.start()
        try:
            with mock.patch.object(resilient, "RETRY_AFTER", 0):
                cache._down_until = time.monotonic()
                cache.set("k", "stored")
                assert cache.get("k") == "stored"
                assert cache.ping()
                redis.stop()
                assert cache.get("k", "miss") == "miss"
                assert not cache.ping()
        finally:
            redis.stop()
