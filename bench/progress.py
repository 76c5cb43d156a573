"""A small progress bar on stderr (one line redrawn on a terminal, a few lines otherwise)."""

from __future__ import annotations

import sys
import time


class Progress:
    WIDTH = 30

    def __init__(self, label: str, total: int, unit: str = "rows") -> None:
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.done = 0
        self.started = time.perf_counter()
        self._tty = sys.stderr.isatty()
        self._last_draw = 0.0
        self._last_quarter = -1
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self._draw()

    def close(self) -> float:
        self.done = self.total
        self._draw(force=True)
        if self._tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
        return time.perf_counter() - self.started

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        fraction = self.done / self.total
        if self._tty:
            if not force and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            sys.stderr.write(
                f"\r{self.label:<22} [{bar}] {fraction:6.1%} "
                f"{self.done:>11,}/{self.total:,} {self.unit}  {now - self.started:6.1f}s"
            )
            sys.stderr.flush()
            return
        quarter = int(fraction * 4)
        if quarter == self._last_quarter:
            return
        self._last_quarter = quarter
        sys.stderr.write(
            f"{self.label}: {int(fraction * 100)}% ({self.done:,}/{self.total:,} {self.unit}, "
            f"{now - self.started:.1f}s)\n"
        )
        sys.stderr.flush()
