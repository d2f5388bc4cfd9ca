import numpy as np
import numpy.typing as npt

MIN_LETTERS: int

def near_equal(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> bool: ...
def extend(
    left_chars: npt.NDArray[np.uint32], left_starts: npt.NDArray[np.int64], left_ends: npt.NDArray[np.int64],
    left_first: int, left_count: int,
    right_chars: npt.NDArray[np.uint32], right_starts: npt.NDArray[np.int64], right_ends: npt.NDArray[np.int64],
    right_first: int, right_count: int,
    step: int, match: int, shift: int, drop: int, least: int,
) -> tuple[int, int, int]: ...
