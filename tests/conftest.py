"""Every test starts with an empty cache, as it starts with the database as its class left
it: a page cached by one test (cms.pagecache) must not answer the next one."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
