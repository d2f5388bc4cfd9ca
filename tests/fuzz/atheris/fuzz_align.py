"""atheris target: retold._ext.align (full, seeded and global alignment, seeds, chains)."""
import atheris
import numpy as np

from _driver import call, int64s, run, small_int


def passages(spans_at, ops_at):
    return lambda result, args: (args[spans_at][:result[0]], args[ops_at][:result[1]])


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    a, b = int64s(fdp, -1, 5), int64s(fdp, -1, 5)
    match, mismatch, gap = fdp.ConsumeIntInRange(0, 4), fdp.ConsumeIntInRange(-3, 1), fdp.ConsumeIntInRange(-3, 1)
    min_matches, capacity = small_int(fdp), fdp.ConsumeIntInRange(0, 5)
    room = len(a) + len(b) + fdp.PickValueInList([0, 0, 0, -1, 3])
    which = fdp.ConsumeIntInRange(0, 3)
    if which == 0:
        call("align", "align_full", lambda: (a, b, match, mismatch, gap, min_matches, np.zeros((capacity, 8), np.int64),
                                             np.zeros(max(room, 0), np.int8)), written=passages(6, 7))
    elif which == 1:
        ngram, max_occurrences, max_gap, band = small_int(fdp), small_int(fdp), small_int(fdp), small_int(fdp)
        call("align", "align_seeded", lambda: (a, b, ngram, max_occurrences, max_gap, band, match, mismatch, gap, min_matches,
                                               np.zeros((capacity, 8), np.int64), np.zeros(max(room, 0), np.int8)),
             written=passages(10, 11))
    elif which == 2:
        call("align", "align_global", lambda: (a, b, match, mismatch, gap, np.zeros(max(room, 0), np.int8)),
             written=lambda result, args: args[5][:result[1]])
    else:
        ngram, max_occurrences, max_gap = small_int(fdp), small_int(fdp), small_int(fdp)
        call("align", "find_seeds", lambda: (a, b, ngram, max_occurrences))
        si, sj = int64s(fdp, 0, 30, 10), int64s(fdp, 0, 30, 10)
        call("align", "chain_seeds", lambda: (si, sj, ngram, max_gap, match, mismatch, gap))


if __name__ == "__main__":
    run(one_input)
