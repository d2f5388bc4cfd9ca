"""atheris target: retold._ext.stories (story features, word hashes) and the similarity kernel."""
import atheris
import numpy as np

from _driver import call, run, small_int, text

DEFAULTS = (40, 1.5, 1.5, 2.0, 1.5, 1.2, 4, 1.0, True, 0.5, 1.0, 0.3)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, 2)
    if which == 0:
        n = fdp.ConsumeIntInRange(0, 3)
        texts = [text(fdp, 150) for _ in range(n)]
        titles = [text(fdp, 30) for _ in range(n + fdp.PickValueInList([0, 0, 0, 1]))]
        n_bits = fdp.PickValueInList([8, 12, 20, 26, 32, 1]) if fdp.ConsumeBool() else small_int(fdp)
        params = list(DEFAULTS)
        if fdp.ConsumeIntInRange(0, 9) == 0:
            params[fdp.ConsumeIntInRange(0, len(params) - 1)] = fdp.PickValueInList([float("nan"), -1, 1 << 70, None])
        call("stories", "text_features", lambda: (texts, titles, n_bits, *params))
    elif which == 1:
        from retold._reference.text import tokenize
        t = text(fdp, 150)
        starts, ends, hashes, _ = tokenize(t)
        if fdp.ConsumeBool():
            ends = ends + fdp.ConsumeIntInRange(-3, 3)
        call("stories", "word_hashes", lambda: (t, starts, ends, hashes))
    else:
        n_rows = fdp.ConsumeIntInRange(0, 8)
        offsets, indices, values = [0], [], []
        for _ in range(n_rows):
            feats = sorted({fdp.ConsumeIntInRange(0, 12) for _ in range(fdp.ConsumeIntInRange(0, 5))})
            indices += feats
            values += [fdp.ConsumeFloatInRange(-2.0, 2.0) for _ in feats]
            offsets.append(len(indices))
        offsets = np.array(offsets, np.int64)
        indices = np.array(indices, np.uint32)
        values = np.array(values, np.float64)
        k, terms = fdp.ConsumeIntInRange(1, 4), fdp.ConsumeIntInRange(1, 6)
        call("neighbours", "nearest_neighbours", lambda: (offsets, indices, values, k, terms, terms))


if __name__ == "__main__":
    run(one_input)
