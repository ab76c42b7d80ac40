"""A per-caller token bucket, in process (each worker keeps its own buckets)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``per_minute`` requests a minute per caller, with bursts of up to ``burst``.

    Example:
        >>> limiter = RateLimiter(per_minute=60, burst=1)
        >>> limiter.acquire("key:abc"), limiter.acquire("key:abc") > 0
        (0.0, True)
    """

    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = 10_000,
    ) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("rate_limit_per_minute and rate_limit_burst must be at least 1")
        self.per_minute = per_minute
        self.burst = burst
        self._rate = per_minute / 60.0
        self._clock = clock
        self._max_callers = max_callers
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, caller: str) -> float:
        """Take one token for ``caller``: 0.0 if allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= self._max_callers:
                    self._forget_full(now)
                if len(self._buckets) >= self._max_callers:
                    # none refilled: the caller seen least recently goes, so memory stays bounded
                    del self._buckets[min(self._buckets, key=lambda c: self._buckets[c].updated)]
                bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def wait(self, caller: str) -> float:
        """Seconds until ``caller`` has a token (0.0 if it has one now); takes nothing."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                return 0.0
            tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self._rate)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self._rate

    def close(self) -> None:
        """Nothing to release: the buckets live in this process."""

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: they behave like new ones."""
        full = self.burst / self._rate
        for caller in [c for c, b in self._buckets.items() if now - b.updated >= full]:
            del self._buckets[caller]


def retry_after(wait: float) -> int:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(wait))
