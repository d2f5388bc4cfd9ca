import numpy as np
import numpy.typing as npt

def update_affine32(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint32], a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32], out: npt.NDArray[np.uint32],
) -> None: ...
def update_affine64(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64], out: npt.NDArray[np.uint64],
) -> None: ...
def update_legacy(
    offsets: npt.NDArray[np.int64], hashes: npt.NDArray[np.uint64], a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64], out: npt.NDArray[np.uint64],
) -> None: ...
def sha1_hashes(elements: list[bytes], width: int, out: npt.NDArray[np.uint64]) -> None: ...
