"""An incremental monitor for a live news stream, with durable SQLite state (:class:`Monitor`)."""
from retold.monitor.monitor import Monitor
from retold.monitor.store import SCHEMA_VERSION, StoreError
from retold.monitor.verdict import SharedPassages, Verdict

__all__ = ["Monitor", "SCHEMA_VERSION", "SharedPassages", "StoreError", "Verdict"]
