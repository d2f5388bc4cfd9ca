"""The progress callback every long-running function takes, and a display for it.

``progress(stage, total)`` returns a context manager that yields ``advance(n)``: the library
calls it around each stage (:func:`retold.dedup`, :func:`retold.analyze`,
:func:`retold.dask.dedup`...).  :func:`no_progress` is the silent default; :class:`Progress`
draws bars on stderr (rich, when installed and stderr is a terminal) and times the stages:
pass ``Progress(...).stage``.
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager, nullcontext
from typing import Callable, ContextManager, Iterator

__all__ = ["Progress", "no_progress"]


def no_progress(name: str, total: int | None = None) -> ContextManager[Callable[[int], None]]:
    """The progress callback that shows nothing."""
    return nullcontext(lambda n=1: None)


class Progress:
    """A progress display on stderr: rich when installed and stderr is a terminal, else silent.

    ``stage(name, total)`` yields an ``advance(n)`` callable; stages are timed for the summary.
    """

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self._progress = None
        if not quiet and sys.stderr.isatty():
            try:
                from rich.console import Console
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    TextColumn,
                    TimeElapsedColumn,
                )
                from rich.progress import (
                    Progress as RichProgress,
                )

                self._progress = RichProgress(
                    TextColumn("{task.description:<12}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=Console(stderr=True),
                    transient=False,
                )
            except ImportError:
                self._progress = None

    def __enter__(self) -> "Progress":
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator:
        start = time.perf_counter()
        task = self._progress.add_task(name, total=total) if self._progress is not None else None

        def advance(n: int = 1) -> None:
            if task is not None:
                self._progress.advance(task, n)

        try:
            yield advance
        finally:
            if task is not None:
                # A stage without a known total would otherwise keep pulsing at "n/?".
                done = next(t.completed for t in self._progress.tasks if t.id == task)
                final = total if total is not None else max(done, 1)
                self._progress.update(task, total=final, completed=final)
            self.timings[name] = time.perf_counter() - start

    def summary(self, lines: list[str]) -> None:
        """Print the closing summary (and stage timings) on stderr unless quiet."""
        if self.quiet:
            return
        for line in lines:
            print(line, file=sys.stderr)
        if self.timings:
            stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
            print(f"time: {stages}", file=sys.stderr)
