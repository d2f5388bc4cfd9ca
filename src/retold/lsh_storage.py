"""Key-value storage behind :class:`retold.MinHashLSH` when ``storage_config`` asks for it.

Two kinds of table hold an index, as in datasketch:

- the *keys* table maps each key to the list of its band hashes ``H`` (one per band, in order);
- one *band* table per band maps ``H`` to the set of keys whose band hashes to it.

``{"type": "dict"}`` keeps them in Python dicts; ``{"type": "redis", "redis": {...}}`` keeps them in
a Redis server (the ``redis`` client, ``pip install retold[redis]``), so that several processes
share one index.  The Redis layout is datasketch's: a table named ``N`` is a Redis hash ``N``
from each member to the Redis key ``N + member``, which holds the member's list (keys table) or
set (band tables); tables are named ``basename + b"_keys"`` and ``basename + b"_bucket_" +
struct.pack(">H", band)``.  An index written by datasketch with the same ``basename`` reads here,
and the other way round.
"""
from __future__ import annotations

import os
import random
import string
import struct
from typing import Any, Hashable, Iterator


def random_name(length: int = 11) -> bytes:
    """A fresh basename for an index whose config gives none."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(length)).encode()


def _parse_config(config: dict[str, Any]) -> dict[str, Any]:
    """Values given as ``{"env": NAME, "default": ...}`` are read from the environment, as datasketch does."""
    out = {}
    for key, value in config.items():
        if isinstance(value, dict) and "env" in value:
            value = os.getenv(value["env"], value.get("default"))
        out[key] = value
    return out


# ---------------------------------------------------------------------- in memory


class _DictTable:
    """What the two in-memory tables share: ``_data``, a dict from each member to its values."""

    _data: dict[Any, Any]

    def remove(self, key: Any, buffer: bool = False) -> None:
        self._data.pop(key, None)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def size(self) -> int:
        return len(self._data)

    def itemcounts(self) -> dict[Any, int]:
        return {k: len(v) for k, v in self._data.items()}

    def empty_buffer(self) -> None:
        pass


class DictKeys(_DictTable):
    """Ordered table ``key -> [H, ...]`` in a dict."""

    def __init__(self) -> None:
        self._data: dict[Hashable, list[bytes]] = {}
        self.buffer_size = 50000

    def insert(self, key: Hashable, *values: bytes, buffer: bool = False) -> None:
        self._data.setdefault(key, []).extend(values)

    def get(self, key: Hashable) -> list[bytes]:
        return list(self._data.get(key, []))

    __getitem__ = get

    def getmany(self, *keys: Hashable) -> list[list[bytes]]:
        return [self.get(k) for k in keys]

    def __contains__(self, key: object) -> bool:
        try:
            return key in self._data
        except TypeError:
            return False


class DictBand(_DictTable):
    """Unordered table ``H -> {key, ...}`` in a dict."""

    def __init__(self) -> None:
        self._data: dict[bytes, set[Any]] = {}
        self._select: list[list[Any]] = []
        self.buffer_size = 50000

    def insert(self, key: bytes, *values: Any, buffer: bool = False) -> None:
        self._data.setdefault(key, set()).update(values)

    def get(self, key: bytes) -> list[Any]:
        return list(self._data.get(key, ()))

    __getitem__ = get

    def getmany(self, *keys: bytes) -> list[list[Any]]:
        return [self.get(k) for k in keys]

    def remove_val(self, key: bytes, value: Any, buffer: bool = False) -> None:
        members = self._data.get(key)
        if members is not None:
            members.discard(value)
            if not members:
                del self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "_sets" in state:  # pickled when the sets were kept under that name
            state["_data"] = state.pop("_sets")
        self.__dict__.update(state)

    def add_to_select_buffer(self, keys: list[bytes]) -> None:
        self._select.extend(self.get(k) for k in keys)

    def collect_select_buffer(self) -> list[list[Any]]:
        out, self._select = self._select, []
        return out


# ---------------------------------------------------------------------- Redis


def _redis_module() -> Any:
    try:
        import redis  # noqa: PLC0415 - optional extra
    except ImportError:
        raise ImportError("storage_config type 'redis' needs the redis client: pip install retold[redis]") from None
    return redis


class RedisKeys:
    """Ordered table in Redis (a hash of members, a list per member)."""

    _kind = "list"

    def __init__(self, config: dict[str, Any], name: bytes) -> None:
        if "redis" not in config:
            raise ValueError("storage_config type 'redis' needs a 'redis' entry, e.g. {'host': 'localhost', 'port': 6379}")
        self.config, self._name = config, name
        self.buffer_size = 50000
        self._connect()

    def _connect(self) -> None:
        redis = _redis_module()
        self._redis = redis.Redis(**_parse_config(self.config["redis"]))
        buffer_options = _parse_config(self.config.get("redis_buffer", {}))
        self._buffer = self._redis.pipeline(transaction=buffer_options.get("transaction", True))
        self._select: list[Any] = []

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "_name": self._name, "buffer_size": self.buffer_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._connect()

    def redis_key(self, key: bytes) -> bytes:
        return self._name + (key.encode() if isinstance(key, str) else key)

    def _client(self, buffer: bool) -> Any:
        if buffer and len(self._buffer.command_stack) >= self.buffer_size:
            self._buffer.execute()
        return self._buffer if buffer else self._redis

    def insert(self, key: bytes, *values: Any, buffer: bool = False) -> None:
        r = self._client(buffer)
        r.hset(self._name, key, self.redis_key(key))
        if self._kind == "list":
            r.rpush(self.redis_key(key), *values)
        else:
            r.sadd(self.redis_key(key), *values)

    def _read(self, r: Any, key: bytes) -> Any:
        return r.lrange(self.redis_key(key), 0, -1) if self._kind == "list" else r.smembers(self.redis_key(key))

    def get(self, key: bytes) -> list[Any]:
        return list(self._read(self._redis, key))

    __getitem__ = get

    def getmany(self, *keys: bytes) -> list[list[Any]]:
        pipe = self._redis.pipeline()
        for key in keys:
            self._read(pipe, key)
        return [list(v) for v in pipe.execute()]

    def remove(self, *keys: bytes, buffer: bool = False) -> None:
        r = self._client(buffer)
        r.hdel(self._name, *keys)
        r.delete(*[self.redis_key(k) for k in keys])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (bytes, str)) and bool(self._redis.hexists(self._name, key))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._redis.hkeys(self._name))

    def __len__(self) -> int:
        return int(self._redis.hlen(self._name))

    def size(self) -> int:
        return len(self)

    def itemcounts(self) -> dict[bytes, int]:
        members = list(self)
        pipe = self._redis.pipeline()
        for m in members:
            pipe.llen(self.redis_key(m)) if self._kind == "list" else pipe.scard(self.redis_key(m))
        return dict(zip(members, pipe.execute()))

    def empty_buffer(self) -> None:
        self._buffer.execute()


class RedisBand(RedisKeys):
    """Unordered table in Redis (a hash of members, a set per member)."""

    _kind = "set"

    def remove_val(self, key: bytes, value: Any, buffer: bool = False) -> None:
        r = self._client(buffer)
        r.srem(self.redis_key(key), value)
        if not buffer and not self._redis.exists(self.redis_key(key)):
            self._redis.hdel(self._name, key)

    def add_to_select_buffer(self, keys: list[bytes]) -> None:
        self._select.extend(self.getmany(*keys))

    def collect_select_buffer(self) -> list[list[Any]]:
        out, self._select = self._select, []
        return out


def make_tables(config: dict[str, Any], bands: int) -> tuple[Any, list[Any]]:
    """The keys table and the band tables ``storage_config`` asks for."""
    kind = config.get("type")
    if kind == "dict":
        return DictKeys(), [DictBand() for _ in range(bands)]
    if kind == "redis":
        basename = config.get("basename") or random_name()
        if isinstance(basename, str):
            basename = basename.encode()
        keys = RedisKeys(config, basename + b"_keys")
        tables = [RedisBand(config, basename + b"_bucket_" + struct.pack(">H", i)) for i in range(bands)]
        return keys, tables
    raise ValueError(f"storage_config type must be 'dict' or 'redis', not {kind!r} "
                     "(datasketch's cassandra backend is not available in retold)")
