"""SIGKILL ``retold analyze -o DIR`` and ``retold dedup -o FILE`` at random points.

Whatever the moment, each output must afterwards be absent, the previous version, or the
complete new one (the same bytes an uninterrupted run writes) -- never truncated or a mix of
two runs.  A killed process cannot tidy up, so hidden temporary files beside the output
(``.name.*``) may remain; the output itself is what is judged.
"""
from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retold.synthetic import news_corpus

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("RETOLD_CRASH_KILLS", "4"))
ROOT = Path(__file__).resolve().parents[1]
_GENERATED = re.compile(r'(datetime="|"generated":")[^"]*"|\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC')


def _env() -> dict:
    env = dict(os.environ)
    # The writers are under test, not the kernels: the fastest backend there is, on either run
    # of the suite (the twins would make each killed run minutes long).
    env["RETOLD_IMPLEMENTATION"] = "auto"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def _run(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "retold", *args], cwd=cwd, env=_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


# The child dies by its own SIGKILL at an exact point of the writers: after the N-th write to
# an output being written (so mid-file), or just before the N-th file or directory is moved
# into place.  The hooks live here, not in the library.
_DIE = """
import os, signal, sys, contextlib
point, n = os.environ["DIE_AT"].split(":"); n = int(n)
count = [0]
def tick():
    count[0] += 1
    if count[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
import retold.io.writers as writers, retold.io.atomic_directory as directory
import retold.report.render as render
if point == "write":
    original = writers.atomic_write
    class Dying:
        def __init__(self, handle): self._handle = handle
        def write(self, data):
            result = self._handle.write(data)
            self._handle.flush()
            tick()
            return result
        def __getattr__(self, name): return getattr(self._handle, name)
        def __iter__(self): return iter(self._handle)
    @contextlib.contextmanager
    def dying_write(*args, **kwargs):
        with original(*args, **kwargs) as handle:
            yield Dying(handle)
    writers.atomic_write = render.atomic_write = dying_write
else:
    replace, swap = os.replace, directory._swap_in
    def dying_replace(*args, **kwargs):
        tick()
        return replace(*args, **kwargs)
    def dying_swap(*args, **kwargs):
        tick()
        return swap(*args, **kwargs)
    os.replace = dying_replace
    directory._swap_in = dying_swap
from retold.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _die_at(args: list[str], cwd: Path, point: str) -> int:
    env = _env()
    env["DIE_AT"] = point
    return subprocess.run([sys.executable, "-c", _DIE, *args], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def _kill_at(args: list[str], cwd: Path, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "retold", *args], cwd=cwd, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _snapshot(path: Path):
    """What a reader finds at ``path``: None, the bytes of a file, or {name: bytes} of a directory.

    The report's generation time is masked: two complete runs differ only there.
    """
    if not path.exists():
        return None
    if path.is_file():
        return path.read_bytes()
    snap = {}
    for child in sorted(path.iterdir()):
        data = child.read_bytes()
        if child.suffix == ".html":
            data = _GENERATED.sub("<time>", data.decode("utf-8")).encode("utf-8")
        snap[child.name] = data
    return snap


def _assert_whole(found, allowed: dict, what: str) -> None:
    for name, snap in allowed.items():
        if found == snap:
            return
    detail = "a file" if isinstance(found, bytes) else sorted(found) if found else found
    raise AssertionError(f"{what} is neither {' nor '.join(allowed)}: {detail!r}")


def _killing(tmp_path: Path, args_new: list[str], args_old: list[str] | None, output: str, seed: int) -> list[str]:
    """Kill the run at random points; return the state found after each kill."""
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    duration = _run(args_new, ref_dir)
    allowed = {"absent": None, "the complete new output": _snapshot(ref_dir / output)}
    if args_old is not None:
        old_dir = tmp_path / "old"
        old_dir.mkdir()
        _run(args_old, old_dir)
        allowed = {"the previous output": _snapshot(old_dir / output),
                   "the complete new output": allowed["the complete new output"]}
        assert allowed["the previous output"] != allowed["the complete new output"]
    rng = random.Random(seed)
    seen = []
    for k in range(KILLS):
        work = tmp_path / f"kill{k}"
        work.mkdir()
        if args_old is not None:
            _run(args_old, work)
        # Half the kills anywhere, half in the last third, where the outputs are written.
        _kill_at(args_new, work, rng.uniform(0.05, 1.05) * duration if k % 2 else rng.uniform(0.65, 1.02) * duration)
        found = _snapshot(work / output)
        _assert_whole(found, allowed, f"after SIGKILL {k}, {output}")
        seen.append(next(name for name, snap in allowed.items() if snap == found))
    return seen


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    synthetic = news_corpus(1500, seed=7, mean_words=200)
    with path.open("w", encoding="utf-8") as out:
        for i, text in enumerate(synthetic.texts):
            out.write(json.dumps({"id": f"n{i}", "text": text, "date": synthetic.dates[i]}) + "\n")
    return path


@pytest.mark.parametrize("previous", [False, True], ids=["fresh", "over-previous"])
def test_dedup_output_is_never_truncated(tmp_path, corpus, previous):
    new = [str(corpus), "-q", "-o", "out.jsonl", "--emit", "pairs"]
    old = [str(corpus), "-q", "-o", "out.jsonl", "--emit", "unique"] if previous else None
    seen = _killing(tmp_path, ["dedup", *new], ["dedup", *old] if old else None, "out.jsonl", seed=11 + previous)
    assert len(seen) == KILLS


@pytest.mark.parametrize("previous", [False, True], ids=["fresh", "over-previous"])
def test_analyze_directory_is_never_half_written(tmp_path, previous):
    new = ["analyze", "--demo", "-q", "-o", "out"]
    old = ["analyze", "--demo", "-q", "-o", "out", "--copy-threshold", "0.95", "--no-parquet"] if previous else None
    seen = _killing(tmp_path, new, old, "out", seed=23 + previous)
    assert len(seen) == KILLS


@pytest.mark.parametrize("point", ["write:1", "write:3", "write:40", "commit:1", "commit:6"])
def test_death_inside_the_writers(tmp_path, corpus, point):
    """SIGKILL at exact points of the writers: mid-file, and just before a file or the directory is moved in."""
    for args, output in ((["dedup", str(corpus), "-q", "-o", "out.jsonl", "--emit", "pairs"], "out.jsonl"),
                         (["analyze", "--demo", "-q", "-o", "out"], "out")):
        ref = tmp_path / f"ref-{output}"
        ref.mkdir()
        _run(args, ref)
        work = tmp_path / f"work-{output}"
        work.mkdir()
        code = _die_at(args, work, point)
        found = _snapshot(work / output)
        _assert_whole(found, {"absent": None, "the complete new output": _snapshot(ref / output)},
                      f"after SIGKILL at {point}, {output}")
        if point.endswith(":1"):
            assert code == -signal.SIGKILL, f"{point} never came in {output}: the hook is broken"
        if code == -signal.SIGKILL:  # killed before the output was moved in: nothing there
            assert found is None, (point, output)
