import numpy as np
import numpy.typing as npt

TOKEN_CAPITALIZED: int
TOKEN_ALL_UPPER: int
TOKEN_HAS_DIGIT: int
TOKEN_NOSPACE: int
TOKEN_ALL_DIGIT: int

def char_class(ch: str) -> int: ...
def fold_char(ch: str) -> str: ...
def tokenize(
    text: str,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.uint8]
]: ...
def fold_stream(text: str) -> str: ...
