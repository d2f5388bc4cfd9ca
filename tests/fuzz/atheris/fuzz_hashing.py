"""atheris target: retold._ext.hashing (shingles, both MinHash schemes, SimHash, set similarity)."""
import atheris
import numpy as np

from _driver import call, run, small_int, text, uint64s


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, 5)
    ngram = small_int(fdp)
    unit = fdp.PickValueInList(["word", "char", "x"])
    scheme = fdp.PickValueInList(["oph", "kperm", ""])
    seed = fdp.ConsumeIntInRange(0, (1 << 64) - 1)
    if which == 0:
        t = text(fdp)
        call("hashing", "text_shingle_hashes", lambda: (t, ngram, unit))
        call("hashing", "simhash_text", lambda: (t, ngram))
    elif which == 1:
        hashes = uint64s(fdp)
        call("hashing", "word_shingle_hashes", lambda: (hashes, ngram))
    elif which == 2:
        texts = [text(fdp, 60) for _ in range(fdp.ConsumeIntInRange(0, 4))]
        k = fdp.ConsumeIntInRange(0, 16)
        rows = len(texts) + fdp.PickValueInList([0, 0, 0, 1, -1])
        call("hashing", "minhash_texts",
             lambda: (texts, ngram, unit, scheme, seed, np.zeros((max(rows, 0), k), np.uint64)), outputs=(5,))
        call("hashing", "shingle_sets", lambda: (texts, ngram, unit))
    elif which == 3:
        shingles = uint64s(fdp)
        k = fdp.ConsumeIntInRange(0, 16)
        extra = fdp.PickValueInList([0, 0, 0, 1, -1])
        call("hashing", "minhash_accumulate", lambda: (shingles, scheme, seed, np.full(k, 2**64 - 1, np.uint64)),
             outputs=(3,))
        call("hashing", "minhash_finalize",
             lambda: (np.full(k, 2**64 - 1, np.uint64), scheme, seed, np.zeros(max(k + extra, 0), np.uint64)),
             outputs=(3,))
    elif which == 4:
        a, b = np.unique(uint64s(fdp) % 50), uint64s(fdp) % 50
        if fdp.ConsumeBool():
            b = np.unique(b)
        call("hashing", "jaccard_sorted", lambda: (a, b))
        call("hashing", "containment_sorted", lambda: (a, b))
    else:
        num_perm = ngram  # the same edge-heavy ints
        call("hashing", "kperm_parameters", lambda: (num_perm, seed))


if __name__ == "__main__":
    run(one_input)
