import numpy as np
import numpy.typing as npt

def band_keys(
    signatures: npt.NDArray[np.uint64], bands: int, rows: int, out: npt.NDArray[np.uint64]
) -> None: ...
def count_bucket_pairs(sorted_keys: npt.NDArray[np.uint64], cap: int) -> tuple[int, int, int]: ...
def fill_bucket_pairs(
    sorted_keys: npt.NDArray[np.uint64], order: npt.NDArray[np.int64], cap: int, out: npt.NDArray[np.uint64]
) -> int: ...
def verify_pairs(
    offsets: npt.NDArray[np.int64],
    values: npt.NDArray[np.uint64],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    containment: bool,
    out: npt.NDArray[np.float64],
) -> None: ...
def union_find(left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], labels: npt.NDArray[np.int64]) -> None: ...
