"""Type stubs for the compiled neighbour kernel (twin: ``retold._reference.neighbours``)."""

import numpy as np
import numpy.typing as npt

def nearest_neighbours(
    offsets: npt.ArrayLike,
    indices: npt.ArrayLike,
    values: npt.ArrayLike,
    k: int,
    index_terms: int,
    query_terms: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
