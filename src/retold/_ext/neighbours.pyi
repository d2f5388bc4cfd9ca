"""Type stubs for the compiled neighbour kernel (twin: ``retold._reference.neighbours``)."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

MAX_POSTINGS: int
CANDIDATES: int

def nearest_neighbours(
    offsets: npt.ArrayLike,
    indices: npt.ArrayLike,
    values: npt.ArrayLike,
    k: int,
    index_terms: int,
    query_terms: int,
    max_postings: int = ...,
    candidates: int = ...,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def row_cosines(
    offsets: npt.ArrayLike,
    indices: npt.ArrayLike,
    values: npt.ArrayLike,
    left: npt.ArrayLike,
    right: npt.ArrayLike,
) -> npt.NDArray[np.float64]: ...
def row_dots(
    indices: npt.NDArray[np.uint32],
    values: npt.NDArray[np.float64],
    rows: Sequence[tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64]]],
) -> npt.NDArray[np.float64]: ...
