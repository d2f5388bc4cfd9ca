"""The ``retold`` command: one subcommand per module in this package.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Exit codes scripts can rely on: 0 success, 1 unexpected internal error, 2 bad usage,
3 bad input (missing file, a file that cannot be read as articles such as a CSV header without
the text column, malformed record under ``--on-error fail``), 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from retold.cli._common import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandError,
    add_subcommands,
    as_command_line,
    use_flags,
)

# name -> module; a module that is not there yet (a capability still being built) is left out.
COMMANDS = {
    "dedup": "retold.cli.dedup",
    "stories": "retold.cli.stories",
    "align": "retold.cli.align",
    "passages": "retold.cli.passages",
    "provenance": "retold.cli.provenance",
    "analyze": "retold.cli.analyze",
    "eval": "retold.cli.eval",
    "watch": "retold.cli.watch",
    "report": "retold.cli.report",
}


def build_parser() -> argparse.ArgumentParser:
    from retold import __version__

    parser = argparse.ArgumentParser(
        prog="retold",
        description="Find where news is told again: copies, stories, shared passages, provenance.",
    )
    parser.add_argument("--version", action="version", version=f"retold {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_subcommands(sub, COMMANDS, "run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    # Library errors name keyword arguments; to this command's users the same advice is a flag.
    use_flags(getattr(args, "evaluation_run_flags", None) or getattr(args, "run_flags", {}))
    try:
        return int(args.run(args) or 0)
    except CommandError as exc:
        print(f"retold {args.command}: error: {as_command_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except FileNotFoundError as exc:
        print(f"retold {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"retold {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last resort: say what broke, never a bare traceback
        if getattr(args, "debug", False):
            raise
        print(
            f"retold {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
