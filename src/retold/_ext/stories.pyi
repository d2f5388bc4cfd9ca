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

class CentroidIndex:
    df_array: npt.NDArray[np.int64]
    n_docs: int
    threshold: float
    cross_threshold: float
    window: float
    idf_power: float
    centroid_terms: int
    index_terms: int
    query_terms: int
    update_idf: bool
    n_clusters: int
    n_active: int
    n_scored: int
    def __init__(
        self,
        df: npt.NDArray[np.int64],
        n_docs: int,
        threshold: float,
        cross_threshold: float,
        window: float,
        centroid_terms: int,
        index_terms: int,
        query_terms: int,
        idf_power: float,
        update_idf: bool,
    ) -> None: ...
    def add(
        self,
        offsets: npt.NDArray[np.int64],
        indices: npt.NDArray[np.uint32],
        weights: npt.NDArray[np.float64],
        times: npt.NDArray[np.float64],
        labels: npt.NDArray[np.int64],
        langs: npt.NDArray[np.int32] | None = ...,
    ) -> None: ...
    def cluster_sizes(self) -> npt.NDArray[np.int64]: ...
    def active_clusters(self) -> npt.NDArray[np.int64]: ...
    def centroid(self, cid: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64]]: ...
    def posted_terms(self) -> int: ...
