"""atheris target: retold._ext.agglomerate (average-link clustering of a similarity graph)."""
import atheris
import numpy as np

from _driver import call, run


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    n = fdp.ConsumeIntInRange(0, 10)
    m = fdp.ConsumeIntInRange(0, 20)
    hi = n + fdp.PickValueInList([0, 0, 0, 0, 1])   # sometimes an id past the items
    a = np.array([fdp.ConsumeIntInRange(-1 if hi > n else 0, max(hi - 1, 0)) for _ in range(m)], np.int64)
    b = np.array([fdp.ConsumeIntInRange(0, max(hi - 1, 0)) for _ in range(m)], np.int64)
    w = np.array([float(fdp.ConsumeIntInRange(-1, 4)) for _ in range(m)], np.float64)
    offset = np.array([float(fdp.ConsumeIntInRange(0, 3)) for _ in range(n)], np.float64)
    threshold = fdp.PickValueInList([0.5, 1.0, 2.0, float("inf"), float("nan"), -1.0])
    penalty = fdp.PickValueInList([0.0, 0.5, 1.0, float("inf")])
    call("agglomerate", "average_link", lambda: (n, a, b, w, offset, threshold, penalty))


if __name__ == "__main__":
    run(one_input)
