"""atheris target: retold._ext.lsh (band keys, bucket pairs, verification, union-find)."""
import atheris
import numpy as np

from _driver import call, int64s, run, small_int, uint64s


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    n = fdp.ConsumeIntInRange(0, 10)
    bands, rows = small_int(fdp), fdp.ConsumeIntInRange(0, 4)
    width = fdp.ConsumeIntInRange(0, 10)
    sigs = (uint64s(fdp, n * width) % 3)
    sigs = np.resize(sigs, (n, width)) if sigs.size or n * width == 0 else np.zeros((n, width), np.uint64)
    call("lsh", "band_keys", lambda: (sigs, bands, rows, np.zeros((max(min(bands, 20), 0), n), np.uint64)))
    keys = np.sort(uint64s(fdp, 20) % 4)
    order = np.arange(len(keys), dtype=np.int64)
    cap = small_int(fdp)
    call("lsh", "count_bucket_pairs", lambda: (keys, cap))
    room = fdp.ConsumeIntInRange(0, 60)
    call("lsh", "fill_bucket_pairs", lambda: (keys, order, cap, np.zeros(room, np.uint64)), outputs=(3,))
    offsets = np.sort(int64s(fdp, 0, 20, 8))
    values = np.arange(fdp.ConsumeIntInRange(0, 20), dtype=np.uint64)
    left, right = int64s(fdp, -1, 8, 6), int64s(fdp, -1, 8, 6)
    containment = fdp.ConsumeBool()   # drawn here: the argument maker runs once per backend
    call("lsh", "verify_pairs", lambda: (offsets, values, left, right, containment,
                                         np.zeros(len(left), np.float64)), outputs=(5,))
    call("lsh", "union_find", lambda: (left, right, np.zeros(n, np.int64)), outputs=(2,))


if __name__ == "__main__":
    run(one_input)
