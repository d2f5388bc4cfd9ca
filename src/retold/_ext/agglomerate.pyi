"""Type stubs for the compiled average-link kernel (twin: ``retold._reference.agglomerate``)."""
import numpy as np
import numpy.typing as npt

def average_link(
    n: int,
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    w: npt.ArrayLike,
    offset: npt.ArrayLike,
    threshold: float,
    penalty: float,
) -> npt.NDArray[np.int64]: ...
