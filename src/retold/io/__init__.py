"""Reading articles and writing results: JSON Lines, CSV/TSV, Parquet, text directories.

Batch calls read their ``docs`` through :class:`ArticleInput` (DataFrames, Arrow, datasets,
numpy arrays too); :mod:`retold.io.frames` turns results into DataFrames and Arrow tables.
Readers stream and report malformed records with the file and line; writers replace their
target atomically.  pyarrow (Parquet) and ftfy (mojibake repair) are optional and imported
only when used.
"""
from .errors import InputError, RecordError, SkippedRecord
from .frames import edges_to_arrow, edges_to_pandas, passages_to_arrow, passages_to_pandas
from .readers import FORMATS, format_from_path, iter_chunks, read_articles
from .tabular_input import ArticleInput
from .textfix import repair_mojibake
from .writers import WRITABLE_FORMATS, atomic_write, atomic_write_bytes, to_plain, write_records

__all__ = [
    "ArticleInput",
    "FORMATS",
    "WRITABLE_FORMATS",
    "InputError",
    "RecordError",
    "SkippedRecord",
    "atomic_write",
    "atomic_write_bytes",
    "edges_to_arrow",
    "edges_to_pandas",
    "format_from_path",
    "iter_chunks",
    "passages_to_arrow",
    "passages_to_pandas",
    "read_articles",
    "repair_mojibake",
    "to_plain",
    "write_records",
]
