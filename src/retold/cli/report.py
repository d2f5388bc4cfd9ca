"""``retold report``: the HTML report of ``retold analyze``, rendered from a monitor's store.

``retold report --state news.db -o DIR`` writes ``DIR/report.html`` for every article in the
store, or for those dated in ``--start``/``--end`` and/or of one ``--story``.  It only reads the
store, so it can run while ``retold watch`` writes to it (it reports the last committed add).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from retold.cli._common import EXIT_INPUT, EXIT_OK, CommandError, non_negative_int

HELP = "render the HTML report of a monitor's store (retold watch --state)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", required=True, metavar="DB", help="the monitor's SQLite store")
    parser.add_argument("-o", "--output", metavar="DIR", default="retold-report",
                        help="directory for report.html (created if needed; default retold-report)")
    parser.add_argument("--start", metavar="DATE", help="only articles dated on or after DATE (ISO 8601)")
    parser.add_argument("--end", metavar="DATE", help="only articles dated on or before DATE (ISO 8601)")
    parser.add_argument("--story", type=non_negative_int, metavar="ID",
                        help="only the articles of this story (a folded id gives the story it is part of)")
    parser.add_argument("--title", help="the report's title")
    parser.add_argument("--quiet", action="store_true", help="no summary on stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def run(args: argparse.Namespace) -> int:
    import sys

    from retold.monitor.reader import report_data
    from retold.monitor.store import StoreError, open_store
    from retold.report import render_report

    try:
        con = open_store(args.state, readonly=True)
    except StoreError as exc:
        raise CommandError(str(exc), EXIT_INPUT) from None
    try:
        try:
            data = report_data(con, start=args.start, end=args.end, story=args.story, title=args.title)
        except KeyError as exc:
            raise CommandError(f"{args.state}: {exc.args[0]}", EXIT_INPUT) from None
        except ValueError as exc:
            raise CommandError(str(exc), EXIT_INPUT) from None
    finally:
        con.close()
    target = Path(args.output)
    target.mkdir(parents=True, exist_ok=True)
    path = render_report(data, target / "report.html")
    if not args.quiet:
        summary = data["summary"]
        print(f"retold report: {path} ({summary['articles']} articles, {summary['stories']} stories, "
              f"{summary['passages']} passages, {summary['edges']} edges)", file=sys.stderr)
    return EXIT_OK
