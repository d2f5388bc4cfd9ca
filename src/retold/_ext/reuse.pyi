import numpy as np
import numpy.typing as npt

def rare_ngram_pairs(
    hashes: npt.NDArray[np.uint64],
    docs: npt.NDArray[np.int64],
    positions: npt.NDArray[np.int64],
    max_df: int,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], int, int
]: ...
def member_mask(values: npt.NDArray[np.uint64], members: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]: ...
