"""How often one user may ask: a sliding 60-second window per user, in memory."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_USERS = 10_000  # past this many, users who have not asked for a minute are forgotten


class QuestionLimiter:
    """At most `per_minute` questions per user in any 60 s."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._asked: dict[int, deque[float]] = {}

    def wait_s(self, user_id: int) -> float:
        """0 and counts the question when it may be asked now, else seconds until it may."""
        now = self.clock()
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= 60.0:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return 60.0 - (now - asked[0])
        asked.append(now)
        if len(self._asked) > MAX_USERS:
            self._asked = {u: q for u, q in self._asked.items() if q and now - q[-1] < 60.0}
        return 0.0
