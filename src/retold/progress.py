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
from types import TracebackType
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator

if TYPE_CHECKING:  # rich is optional and imported only when a terminal shows the bars
    from rich.progress import Progress as RichProgress

__all__ = ["Progress", "ProgressHook", "no_progress"]

# What the library's ``progress=`` options take: ``progress(stage, total)`` returning a context
# manager that yields ``advance(n)``.  :meth:`Progress.stage` and :func:`no_progress` are two.
ProgressHook = Callable[[str, "int | None"], ContextManager[Callable[[int], None]]]


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
        self._progress: RichProgress | None = None
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

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        start = time.perf_counter()
        bars = self._progress  # a local, so the type checker keeps it narrowed inside advance
        task = bars.add_task(name, total=total) if bars is not None else None

        def advance(n: int = 1) -> None:
            if bars is not None and task is not None:
                bars.advance(task, n)

        try:
            yield advance
        finally:
            if bars is not None and task is not None:
                # A stage without a known total would otherwise keep pulsing at "n/?".
                done = next(t.completed for t in bars.tasks if t.id == task)
                final = total if total is not None else max(done, 1)
                bars.update(task, total=final, completed=final)
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
