"""`retold dedup/stories --dask-workers N`: the same output as the single-machine command."""
from __future__ import annotations

import pytest

pytest.importorskip("distributed", reason='the Dask flags need pip install "retold[dask]"')

from retold.cli import main  # noqa: E402


@pytest.mark.parametrize("command", ["dedup", "stories"])
def test_dask_workers_give_the_same_output(command, tmp_path):
    local, distributed = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert main([command, "--demo", "-q", "-o", str(local)]) == 0
    assert main([command, "--demo", "-q", "--dask-workers", "2", "-o", str(distributed)]) == 0
    assert local.read_bytes() == distributed.read_bytes()


def test_dask_flags_refuse_stdin(capsys):
    assert main(["dedup", "-", "-q", "--dask-workers", "2"]) == 2
    assert "no stdin" in capsys.readouterr().err
