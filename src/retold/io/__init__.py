"""Reading articles and writing results: JSON Lines, CSV/TSV, Parquet, text directories.

Readers stream and report malformed records with the file and line; writers replace their
target atomically.  pyarrow (Parquet) and ftfy (mojibake repair) are optional and imported
only when used.
"""
from .errors import InputError, RecordError, SkippedRecord
from .readers import FORMATS, format_from_path, iter_chunks, read_articles
from .textfix import repair_mojibake
from .writers import WRITABLE_FORMATS, atomic_write, atomic_write_bytes, to_plain, write_records

__all__ = [
    "FORMATS",
    "WRITABLE_FORMATS",
    "InputError",
    "RecordError",
    "SkippedRecord",
    "atomic_write",
    "atomic_write_bytes",
    "format_from_path",
    "iter_chunks",
    "read_articles",
    "repair_mojibake",
    "to_plain",
    "write_records",
]
