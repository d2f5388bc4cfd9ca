"""``retold eval``: score retold on labelled data (yours, or the public sets in the README).

Subcommands are modules listed in :data:`SUBCOMMANDS` (name -> module); each defines ``HELP``
(one line), ``add_arguments(parser)`` and ``run(args) -> int``.  A module that is not installed
(a capability still being built) is left out, so a new evaluation plugs in by adding its module
and one line here.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from retold.cli._common import EXIT_USAGE

HELP = "score retold on labelled data: similarity ratings, gold story clusters, text reuse"

SUBCOMMANDS = {
    "similarity": "retold.evaluation.similarity",
    "clusters": "retold.evaluation.clusters",
    "reuse": "retold.evaluation.reuse",
}


def _modules():
    for name, module_name in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        yield name, module


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="evaluation", metavar="EVALUATION")
    for name, module in _modules():
        help_text = getattr(module, "HELP", module.__doc__.strip().splitlines()[0] if module.__doc__ else name)
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(evaluation_run=module.run)
    parser.set_defaults(eval_parser=parser)


def run(args: argparse.Namespace) -> int:
    runner = getattr(args, "evaluation_run", None)
    if runner is None:
        args.eval_parser.print_help(sys.stderr)
        return EXIT_USAGE
    return int(runner(args) or 0)
