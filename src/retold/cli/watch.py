"""``retold watch``: label a live feed article by article, its state in a SQLite store.

``retold watch --state news.db [INPUT|-]`` reads JSON Lines articles from stdin (``-``, the
default), from a file (followed as it grows with ``--follow``), or from a directory where files
arrive (``*.jsonl``, in name order, each read once it is there), and writes one JSON verdict
line per article to stdout or ``-o FILE`` (appended).  Articles whose id is already in the store
are skipped, so a restarted service re-reading its input doubles nothing.  Ctrl-C (or SIGTERM)
stops after the transaction in progress: every verdict printed is in the store.
"""
from __future__ import annotations

import argparse
import json
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any, Iterator, TextIO

from retold.cli._common import (
    EXIT_INPUT,
    EXIT_USAGE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CommandError,
    fraction,
    positive_float,
    positive_int,
)

_STORE_OPTIONS = ("copy_threshold", "story_threshold", "window_days", "copy_window_days",
                  "passages", "provenance")

HELP = "label a live feed of articles (copies, story, passages, provenance) into a durable store"

_POLL_SECONDS = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", default="-", metavar="INPUT",
                        help="JSON Lines file, a directory of them, or - for stdin (default)")
    parser.add_argument("--state", required=True, metavar="DB",
                        help="the monitor's SQLite store (created if absent, continued otherwise)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="append the verdict lines to FILE instead of stdout")
    parser.add_argument("--follow", action="store_true",
                        help="keep reading INPUT as it grows (a file), or for new files (a directory)")
    parser.add_argument("--batch", type=positive_int, default=1000,
                        help="most articles per transaction (default 1000)")
    parser.add_argument("--linger", type=positive_float, default=0.2,
                        help="seconds to wait for more articles before adding a partial batch (default 0.2)")
    store = parser.add_argument_group(
        "options of a new store", "kept in the store: a store continued takes its own, and "
        "refuses different ones")
    store.add_argument("--copy-threshold", type=fraction, help="least similarity of two copies (0.8)")
    store.add_argument("--story-threshold", type=fraction,
                       help="least average link for two stories to merge (retold stories --threshold)")
    store.add_argument("--window-days", type=positive_float,
                       help="time scale of the stories' date discount and their window (3)")
    store.add_argument("--copy-window-days", type=positive_float,
                       help="days an article stays a copy candidate (7)")
    store.add_argument("--no-passages", dest="passages", action="store_false", default=None,
                       help="do not align passages (nor judge provenance, which needs them)")
    store.add_argument("--no-provenance", dest="provenance", action="store_false", default=None,
                       help="do not judge provenance")
    parser.add_argument("--on-error", choices=["fail", "skip"], default="fail",
                        help="a malformed line stops the command (fail, default) or is reported and skipped")
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


# -- input ----------------------------------------------------------------------------------------


def _lines_of_file(path: Path, follow: bool, stop: threading.Event) -> Iterator[tuple[str, str]]:
    """(where, line) of a file; with ``follow`` it waits for lines appended later."""
    with open(path, "r", encoding="utf-8", errors="strict") as fh:
        number = 0
        pending = ""
        while not stop.is_set():
            chunk = fh.readline()
            if chunk:
                pending += chunk
                if pending.endswith("\n"):
                    number += 1
                    yield f"{path}:{number}", pending
                    pending = ""
                continue
            if not follow:
                break
            time.sleep(_POLL_SECONDS)  # a line still being written waits in ``pending``
        if pending and not follow:
            number += 1
            yield f"{path}:{number}", pending


def _lines(source: str, follow: bool, stop: threading.Event) -> Iterator[tuple[str, str]]:
    if source == "-":
        for number, line in enumerate(sys.stdin, 1):
            if stop.is_set():
                return
            yield f"<stdin>:{number}", line
        return
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    if path.is_file():
        yield from _lines_of_file(path, follow, stop)
        return
    done: set[str] = set()
    while not stop.is_set():
        fresh = sorted(p for p in path.glob("*.jsonl") if p.name not in done)
        for item in fresh:
            done.add(item.name)
            yield from _lines_of_file(item, False, stop)
        if not follow:
            return
        if not fresh:
            time.sleep(_POLL_SECONDS)


def _parse(where: str, line: str) -> Any:
    from retold.article import Article

    try:
        record = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"{where}: not a JSON record ({exc})") from None
    if not isinstance(record, dict):
        raise ValueError(f"{where}: a JSON object is needed, not {type(record).__name__}")
    try:
        return Article.from_dict(record)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def _reader(source: str, follow: bool, on_error: str, out: queue.Queue[Any], stop: threading.Event) -> None:
    """Parse the input on a thread, so that a batch is cut when the feed goes quiet."""
    try:
        for where, line in _lines(source, follow, stop):
            if not line.strip():
                continue
            try:
                out.put(("article", _parse(where, line)))
            except ValueError as exc:
                if on_error == "fail":
                    out.put(("error", str(exc)))
                    return
                out.put(("skipped", str(exc)))
    except (OSError, UnicodeDecodeError) as exc:
        out.put(("error", f"{source}: {exc}"))
        return
    if not stop.is_set():  # the input ended, rather than a stop cutting it short
        out.put(("end", None))


# -- the loop -------------------------------------------------------------------------------------


def _next_batch(items: queue.Queue[Any], size: int, linger: float, stop: threading.Event,
                status: dict[str, Any]) -> list[Any]:
    batch: list[Any] = []
    deadline = None
    while len(batch) < size and not stop.is_set():
        timeout = _POLL_SECONDS if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            kind, value = items.get(timeout=timeout)
        except queue.Empty:
            if deadline is not None:
                break
            continue
        if kind == "article":
            batch.append(value)
            if deadline is None:
                deadline = time.monotonic() + linger
        elif kind == "skipped":
            status["skipped"] += 1
            print(f"retold watch: skipped {value}", file=sys.stderr)
        else:
            status[kind] = value if kind == "error" else True
            break
    return batch


def run(args: argparse.Namespace) -> int:
    from retold.monitor import Monitor, StoreError

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - the signal handler's signature
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        options = {k: getattr(args, k) for k in _STORE_OPTIONS if getattr(args, k) is not None}
        try:
            monitor = Monitor(args.state, **options)
        except StoreError as exc:
            raise CommandError(str(exc), EXIT_INPUT) from None
        except ValueError as exc:  # options that contradict the store's
            raise CommandError(str(exc), EXIT_USAGE) from None
        status: dict[str, Any] = {"skipped": 0, "error": None, "end": False, "known": 0, "added": 0}
        items: queue.Queue[Any] = queue.Queue(maxsize=4 * args.batch)
        thread = threading.Thread(target=_reader, args=(args.input, args.follow, args.on_error, items, stop),
                                  daemon=True)
        out: TextIO = open(args.output, "a", encoding="utf-8") if args.output else sys.stdout
        try:
            thread.start()
            while not stop.is_set():
                batch = _next_batch(items, args.batch, args.linger, stop, status)
                fresh = [a for a in batch if a.id not in monitor]
                status["known"] += len(batch) - len(fresh)
                if fresh:
                    # The add runs to its end even when a stop is asked for meanwhile.
                    for verdict in monitor.add(fresh):
                        out.write(json.dumps(verdict.to_dict(), ensure_ascii=False) + "\n")
                    out.flush()
                    status["added"] += len(fresh)
                if status["error"] or status["end"]:
                    break
        finally:
            if out is not sys.stdout:
                out.close()
            monitor.close()
        if not args.quiet:
            print(f"retold watch: {status['added']} articles added to {args.state}"
                  + (f", {status['known']} already there" if status["known"] else "")
                  + (f", {status['skipped']} malformed skipped" if status["skipped"] else ""),
                  file=sys.stderr)
        if status["error"]:
            raise CommandError(status["error"], EXIT_INPUT)
        if stop.is_set() and not status["end"]:
            print("retold watch: stopped after the last transaction", file=sys.stderr)
            return EXIT_INTERRUPTED
        return EXIT_OK
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
