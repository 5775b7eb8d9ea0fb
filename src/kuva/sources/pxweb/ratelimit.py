"""A sliding-window call-rate limiter (PxWeb: ``maxCallsPerTimeWindow`` per ``timeWindow`` s).

The clock and the sleep are injectable so tests run in virtual time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from kuva.errors import KuvaInputError

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RateLimiter:
    """At most ``max_calls`` calls in any window of ``window`` seconds."""

    def __init__(
        self,
        max_calls: int,
        window: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if max_calls < 1 or window <= 0:
            raise KuvaInputError(f"rate limit needs max_calls >= 1 and window > 0, got {max_calls} calls / {window} s")
        self.max_calls = max_calls
        self.window = float(window)
        self.clock = clock
        self.sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  #: total seconds slept so far (for reports and tests)

    def acquire(self) -> None:
        """Block (via ``sleep``) until one more call is allowed, then record it."""
        with self._lock:
            # bounded: each pass either returns or sleeps until the oldest call leaves the
            # window; a clock that does not advance would otherwise spin, so cap the passes.
            for _ in range(self.max_calls + 3):
                now = self.clock()
                while self._calls and now - self._calls[0] >= self.window:
                    self._calls.popleft()
                if len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    return
                wait = self.window - (now - self._calls[0])
                self.waited += wait
                self.sleep(wait)
            # the clock did not advance while sleeping: record anyway rather than loop forever
            self._calls.append(self.clock())
