"""``--scheduler`` and ``--dask-workers``: how the commands that can run on Dask are told where."""
from __future__ import annotations

import argparse
from typing import Any

from retold.cli._common import EXIT_USAGE, CommandError
from retold.dask.runtime import INSTALL, connect

__all__ = ["add_dask_arguments", "dask_client_for", "dask_client_from_args", "on_dask"]


def add_dask_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--scheduler ADDRESS`` and ``--dask-workers N`` to a command's parser."""
    group = parser.add_argument_group(f"Dask (needs {INSTALL})")
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786)",
    )
    where.add_argument(
        "--dask-workers",
        type=int,
        metavar="N",
        help="run on a local Dask cluster of N worker processes (one thread each)",
    )


def dask_client_from_args(args: argparse.Namespace) -> Any:
    """The ``distributed.Client`` the options ask for, or None when neither was given: see
    :func:`retold.dask.runtime.connect` (a context manager; ImportError or ValueError)."""
    address = getattr(args, "scheduler", None)
    workers = getattr(args, "dask_workers", None)
    if address is None and workers is not None:
        # Checked here too, so that the message names the option rather than connect's argument.
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"--dask-workers must be a positive int, got {workers!r}")
    return connect(address, workers)


def on_dask(args: argparse.Namespace) -> bool:
    """Whether the options ask for a Dask cluster (``--scheduler`` or ``--dask-workers``)."""
    return bool(getattr(args, "scheduler", None) or getattr(args, "dask_workers", None))


def dask_client_for(args: argparse.Namespace, path: str | None, *, low_memory: bool = False) -> Any:
    """The client of :func:`dask_client_from_args`, once the input options are known to suit the
    Dask readers (files only, no per-record repair): a usage CommandError otherwise.

    ``low_memory``: the command has ``--low-memory``, which the Dask drivers do not take either.
    """
    refused = ["no stdin", *(["--low-memory"] if low_memory else []),
               "--on-error skip or --fix-text/--detect-language"]
    if (not path or path == "-" or (low_memory and args.low_memory) or args.on_error == "skip"
            or args.fix_text or args.detect_language):
        raise CommandError("--scheduler/--dask-workers read Parquet, JSON Lines or CSV files: "
                           + ", ".join(refused), EXIT_USAGE)
    try:
        return dask_client_from_args(args)
    except (ImportError, ValueError) as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
