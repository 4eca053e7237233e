"""Django's Redis cache, made so that a Redis that is down costs no page.

The cache holds the rate-limit counters of the public Nabohjælp page
(django-ratelimit). Django's own Redis cache raises when Redis cannot be reached:
the page would fail (500). django-ratelimit, given a cache that answers nothing,
fails closed: every resident would be refused. Instead, while Redis is away, each
web process counts in its own memory and says so in the log: the limit still
holds, per process (a flood meets it a few times over at most), sign-ups go on,
and nothing else changes. Each call tries Redis first, so counting moves back to
it by itself once it answers again; the counts made meanwhile are forgotten.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

log = logging.getLogger(__name__)

# Redis being away is one warning a minute per process, not one per request.
WARN_EVERY = 60.0
UNREACHABLE = (ConnectionError, TimeoutError)


class RedisOrLocalCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache("portal-redis-fallback", params)
        self._warned_at = -WARN_EVERY

    def ping(self) -> bool:
        """Whether Redis itself answers (the health check); raises if it does not."""
        return self._cache.get_client(write=True).ping()

    def _either(self, name: str, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as error:
            now = time.monotonic()
            if now - self._warned_at >= WARN_EVERY:
                self._warned_at = now
                log.warning("Redis cache unreachable, counting in memory: %s", error)
            return getattr(self._local, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def clear(self):
        return self._either("clear")
