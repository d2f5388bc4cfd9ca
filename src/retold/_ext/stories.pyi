import numpy as np
import numpy.typing as npt

def text_features(
    texts: list[str],
    titles: list[str],
    n_bits: int,
    lead_tokens: int,
    title_boost: float,
    lead_boost: float,
    name_boost: float,
    number_boost: float,
    quote_boost: float,
    stem_length: int,
    stem_weight: float,
    translit: bool,
    skeleton_weight: float,
    uncased_skeleton_weight: float,
    short_weight: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32], npt.NDArray[np.float64]]: ...

def character_rule_disagreements() -> list[int]: ...
def word_hashes(
    text: str,
    starts: npt.ArrayLike,
    ends: npt.ArrayLike,
    hashes: npt.ArrayLike,
) -> npt.NDArray[np.uint64]: ...
