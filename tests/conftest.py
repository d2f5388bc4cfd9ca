"""Shared fixtures: both kernel backends, and the real data in ../shared when it is there."""
from __future__ import annotations

import builtins
import importlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from retold import _backend

# The backend fixtures hold no state between examples, so sharing them across examples is safe.
settings.register_profile(
    "retold", suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
settings.load_profile("retold")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RETOLD_SHARED", REPO.parent / "shared"))


def _available_backends() -> list:
    params = [pytest.param("python", id="python")]
    try:
        importlib.import_module("retold._ext.text")
    except ImportError:
        params.insert(0, pytest.param("compiled", id="compiled", marks=pytest.mark.skip(
            reason="compiled kernels are not built (pip install . builds them)")))
    else:
        params.insert(0, pytest.param("compiled", id="compiled"))
    return params


@pytest.fixture(params=_available_backends())
def impl(request):
    """A function topic -> kernel module, for one backend (compiled or python) per test run."""
    if request.param == "compiled":
        return _backend.compiled_kernels
    return _backend.reference_kernels


@pytest.fixture(scope="session")
def compiled_or_skip():
    """The compiled kernel loader; skips where the extensions are not built."""
    try:
        importlib.import_module("retold._ext.text")
    except ImportError:
        pytest.skip("compiled kernels are not built (pip install . builds them)")
    return _backend.compiled_kernels


def refusal_tests(kernel: str, function: str, good: dict, bad: dict) -> tuple:
    """The two tests of a kernel function's argument checks, for a module to bind to
    ``test_bad_arguments_are_refused, test_both_backends_refuse_alike``.

    ``bad`` maps a test id to (change to the ``good`` keywords, error type, message pattern):
    each backend refuses each change with that error, and the compiled kernel and its twin refuse
    it alike (the same type and message).
    """
    @pytest.mark.parametrize("change, error, message", list(bad.values()), ids=list(bad))
    def test_bad_arguments_are_refused(impl, change, error, message):
        with pytest.raises(error, match=message):
            getattr(impl(kernel), function)(**{**good, **change})

    @pytest.mark.parametrize("change", [c for c, _, _ in bad.values()], ids=list(bad))
    def test_both_backends_refuse_alike(compiled_or_skip, change):
        errors = []
        for module in (compiled_or_skip(kernel), _backend.reference_kernels(kernel)):
            with pytest.raises(Exception) as caught:
                getattr(module, function)(**{**good, **change})
            errors.append((type(caught.value), str(caught.value)))
        assert errors[0] == errors[1]

    return test_bad_arguments_are_refused, test_both_backends_refuse_alike


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or a skip with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real data lives in ../shared beside the repository")
    return path


def kernel_modules(topic: str) -> list:
    """The kernel modules of ``topic`` to check against an oracle: the twin, and the compiled
    one where it is built."""
    modules = [_backend.reference_kernels(topic)]
    try:
        modules.append(_backend.compiled_kernels(topic))
    except ImportError:
        pass
    return modules


def write_jsonl(path: Path, records) -> Path:
    """``records`` as a JSON Lines file at ``path``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def parser_exit_code(argv: list[str]) -> int:
    """The exit code of ``retold ARGV`` when the argument parser refuses it (SystemExit)."""
    from retold.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    code: int = exc.value.code  # type: ignore[assignment]
    return code


def run_retold(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``python -m retold ARGS`` in ``cwd``, this checkout's package first on the path."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-m", "retold", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def hide_module(monkeypatch, name: str) -> None:
    """Make ``import name`` fail as it does where the package is not installed."""
    real_import = builtins.__import__

    def without(module, *args, **kwargs):
        if module == name:
            raise ImportError(f"No module named {name!r}")
        return real_import(module, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without)


def stored_articles(db: Path) -> int:
    """How many articles a monitor's SQLite store holds."""
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def fast_thread_switches():
    """Threads switch every microsecond, so that unguarded state would be caught mid-update."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def seeds() -> dict[str, str]:
    """The three seed articles (Yonhap, AA, RBC-Ukraine) from ../shared/seeds."""
    folder = shared_path("seeds")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
