import numpy as np
import numpy.typing as npt

OP_MATCH: int
OP_MISMATCH: int
OP_A: int
OP_B: int
SPAN_COLUMNS: int
MAX_PREDECESSORS: int

def align_full(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], match: int, mismatch: int, gap: int,
    min_matches: int, spans: npt.NDArray[np.int64], ops: npt.NDArray[np.int8],
) -> tuple[int, int]: ...
def find_seeds(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], ngram: int, max_occurrences: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def chain_seeds(
    si: npt.NDArray[np.int64], sj: npt.NDArray[np.int64], ngram: int, max_gap: int,
    match: int, mismatch: int, gap: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def align_seeded(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], ngram: int, max_occurrences: int,
    max_gap: int, band: int, match: int, mismatch: int, gap: int, min_matches: int,
    spans: npt.NDArray[np.int64], ops: npt.NDArray[np.int8],
) -> tuple[int, int]: ...
def align_global(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], match: int, mismatch: int, gap: int,
    ops: npt.NDArray[np.int8],
) -> tuple[int, int]: ...
def check_score_bound(match: int, n: int, m: int) -> None: ...
