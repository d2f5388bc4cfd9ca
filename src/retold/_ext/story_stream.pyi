import numpy as np
import numpy.typing as npt

# The kernel module re-exports the twin's checks (both backends raise the same errors).
from retold._reference.story_stream import check_arguments as check_arguments
from retold._reference.story_stream import check_batch as check_batch
from retold._reference.story_stream import check_state as check_state
from retold._reference.story_stream import forgotten_error as forgotten_error
from retold._reference.story_stream import REBASE_MIN as REBASE_MIN

class StoryStream:
    df_array: npt.NDArray[np.int64]
    n_docs: int
    n_scored: int
    next_seq: int
    front: int
    decided: int
    n_folded: int
    lag: int
    threshold: float
    density_penalty: float
    window: float
    time_scale: float
    cross_script_weight: float
    idf_power: float
    now: float
    neighbours: int
    density_neighbours: int
    index_terms: int
    update_idf: bool
    n_features: int
    n_created: int
    n_stories: int
    n_active: int
    n_active_articles: int
    window_articles: int
    max_postings: int
    candidates: int
    forget: bool
    base: int
    n_held_ids: int
    rebase_min: int
    def __init__(
        self,
        df: npt.NDArray[np.int64],
        n_docs: int,
        threshold: float,
        density_penalty: float,
        neighbours: int,
        density_neighbours: int,
        index_terms: int,
        lag: int,
        window: float,
        time_scale: float,
        cross_script_weight: float,
        idf_power: float,
        update_idf: bool,
        window_articles: int,
        max_postings: int,
        candidates: int,
        forget: bool = False,
    ) -> None: ...
    def add(
        self,
        offsets: npt.NDArray[np.int64],
        indices: npt.NDArray[np.uint32],
        weights: npt.NDArray[np.float64],
        times: npt.NDArray[np.float64],
        scripts: npt.NDArray[np.int32],
        labels: npt.NDArray[np.int64],
    ) -> None: ...
    def flush(self) -> None: ...
    def resolve(self, labels: npt.ArrayLike) -> npt.NDArray[np.int64]: ...
    def story_sizes(self) -> npt.NDArray[np.int64]: ...
    def parents(self) -> npt.NDArray[np.int64]: ...
    def last_folds(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
    def posted_terms(self) -> int: ...
    def link_entries(self) -> int: ...
