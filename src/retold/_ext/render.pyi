import numpy as np
import numpy.typing as npt

OP_MATCH: int
OP_MISMATCH: int
OP_A: int
OP_B: int

def aligned_strings(
    text_a: str, starts_a: npt.NDArray[np.int64], ends_a: npt.NDArray[np.int64], text_b: str,
    starts_b: npt.NDArray[np.int64], ends_b: npt.NDArray[np.int64], ops: npt.NDArray[np.int8],
    mark: str,
) -> tuple[str, str]: ...
