"""Pages of a list whose total is counted in SQL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

#: Page numbers above this are refused as malformed input.
MAX_PAGE = 10_000_000


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    def clamp(self, total: int) -> PageRequest:
        """The same request, moved to the last page when it points past the end."""
        last = max(1, math.ceil(total / self.size))
        return PageRequest(min(self.number, last), self.size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last, and a few around the current one;
        ``None`` marks a gap."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out
