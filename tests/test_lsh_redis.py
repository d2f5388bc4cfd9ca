"""MinHashLSH on a real Redis server: datasketch's Redis behaviours, processes sharing one index,
and an index shared with datasketch itself.

The fixture starts its own ``redis-server`` (Debian's ``redis-server`` package) on a free port in a
temporary directory and stops it afterwards; the tests skip, saying why, without the server binary
or the ``redis`` client (``pip install retold[redis]``).
"""
from __future__ import annotations

import multiprocessing
import pickle
import shutil
import socket
import subprocess
import time

import pytest

from retold import MinHash, MinHashLSH

redis = pytest.importorskip("redis", reason="the redis client is not installed (pip install retold[redis])")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None:
                pytest.skip(f"redis-server exited with {proc.returncode} before answering")
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.skip("redis-server did not answer within 5 s")
    yield {"host": "127.0.0.1", "port": port}
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def config(redis_server, request):
    # Each test its own basename, so they do not see each other's keys.
    return {"type": "redis", "redis": dict(redis_server), "basename": request.node.name.encode()[:40]}


def sketch(value: bytes, num_perm: int = 16) -> MinHash:
    m = MinHash(num_perm)
    m.update(value)
    return m


def test_insert_query_remove(config):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    m1, m2 = sketch(b"a"), sketch(b"b")
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    for table in lsh.hashtables:
        assert len(table) >= 1
        items = [k for h in table for k in table[h]]
        assert pickle.dumps("a") in items and pickle.dumps("b") in items
    assert "a" in lsh and "b" in lsh and len(lsh) == 2
    for i, h in enumerate(lsh.keys[pickle.dumps("a")]):
        assert pickle.dumps("a") in lsh.hashtables[i][h]
    assert "a" in lsh.query(m1) and "b" in lsh.query(m2)
    with pytest.raises(ValueError):
        lsh.insert("c", MinHash(18))
    with pytest.raises(ValueError):
        lsh.insert("a", m1)
    lsh.add_to_query_buffer(m1)
    assert "a" in lsh.collect_query_buffer()
    lsh.remove("a")
    assert "a" not in lsh and "a" not in lsh.query(m1)
    for table in lsh.hashtables:
        for h in table:
            assert pickle.dumps("a") not in table[h] and len(table[h]) > 0
    with pytest.raises(ValueError):
        lsh.remove("a")


def test_sessions_merge_and_counts(config):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    with lsh.insertion_session(buffer_size=3) as session:
        for key in "abcdefg":
            session.insert(key, sketch(key.encode()))
    assert all(k in lsh for k in "abcdefg") and len(lsh) == 7
    assert all(sum(t.values()) == 7 for t in lsh.get_counts())
    with lsh.deletion_session(buffer_size=2) as session:
        for key in "abc":
            session.remove(key)
    assert [k in lsh for k in "abcd"] == [False, False, False, True]
    for table in lsh.hashtables:
        for h in table:
            assert len(table[h]) > 0 and pickle.dumps("a") not in table[h]
    other = MinHashLSH(threshold=0.5, num_perm=16,
                       storage_config={**config, "basename": config["basename"] + b"-other"})
    other.insert("z", sketch(b"z"))
    lsh.merge(other)
    assert "z" in lsh and "z" in lsh.query(sketch(b"z"))
    with pytest.raises(ValueError, match="overlapping"):
        lsh.merge(other, check_overlap=True)


def test_pickled_index_reconnects(config):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    lsh.insert("a", sketch(b"a"))
    clone = pickle.loads(pickle.dumps(lsh))
    clone.insert("b", sketch(b"b"))
    assert "b" in lsh  # one index, in the server


def _worker(config, start, queue):
    lsh = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    for i in range(start, start + 50):
        lsh.insert(i, sketch(str(i).encode()))
    queue.put(sorted(k for k in range(100) if k in lsh))


def test_two_processes_share_one_index(config):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(config, start, queue)) for start in (0, 50)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    seen = [queue.get(timeout=10) for _ in procs]
    assert all(set(s) >= set(range(50)) or set(s) >= set(range(50, 100)) for s in seen)
    lsh = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    assert len(lsh) == 100
    assert all(i in lsh.query(sketch(str(i).encode())) for i in range(100))


def test_an_index_shared_with_datasketch(config):
    ds = pytest.importorskip("datasketch", minversion="2.0", reason="datasketch 2.x is not installed")
    theirs = ds.MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    d = ds.MinHash(16)
    d.update(b"from datasketch")
    theirs.insert("ds", d)
    mine = MinHashLSH(threshold=0.5, num_perm=16, storage_config=config)
    assert "ds" in mine and mine.query(sketch(b"from datasketch")) == ["ds"]
    mine.insert("retold", sketch(b"from retold"))
    probe = ds.MinHash(16)
    probe.update(b"from retold")
    assert theirs.query(probe) == ["retold"]
