"""``retold eval``: score retold on labelled data (yours, or the public sets in the README).

Subcommands are modules listed in :data:`SUBCOMMANDS` (name -> module); each defines ``HELP``
(one line), ``add_arguments(parser)`` and ``run(args) -> int``.  A module that is not installed
(a capability still being built) is left out, so a new evaluation plugs in by adding its module
and one line here.
"""
from __future__ import annotations

import argparse
import sys

from retold.cli._common import EXIT_USAGE, add_subcommands

HELP = "score retold on labelled data: similarity ratings, gold story clusters, text reuse"

SUBCOMMANDS = {
    "similarity": "retold.cli.eval_similarity",
    "clusters": "retold.cli.eval_clusters",
    "reuse": "retold.cli.eval_reuse",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="evaluation", metavar="EVALUATION")
    add_subcommands(sub, SUBCOMMANDS, "evaluation_run")
    parser.set_defaults(eval_parser=parser)


def run(args: argparse.Namespace) -> int:
    runner = getattr(args, "evaluation_run", None)
    if runner is None:
        args.eval_parser.print_help(sys.stderr)
        return EXIT_USAGE
    return int(runner(args) or 0)
