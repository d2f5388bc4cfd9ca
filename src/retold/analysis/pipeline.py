"""The whole job in one call: copies, stories, the passages they share, and provenance.

:func:`analyze` composes the capabilities, it does not re-implement them:

1. **copies**: :func:`retold.dedup` (containment of word 5-gram shingles by default, so a
   reprint trimmed of its last paragraphs is still a copy);
2. **stories**: :func:`retold.stories` with a :class:`retold.StoryModel` fitted on the corpus;
3. **passages**: :func:`retold.align` on a bounded set of pairs
   (:mod:`retold.analysis.pair_selection`);
4. **provenance**: :func:`retold.provenance`, story by story, on the pairs of step 3 (their
   passages passed in, not aligned again) and the pairs explicit attributions link.

Determinism: the same articles in the same order and options give the same results on every
backend and thread count.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from retold._renamed import renamed_keyword
from retold._validate import check_int
from retold.progress import ProgressHook
from retold.analysis.pair_passages import PairPassages, align_pair
from retold.analysis.pair_selection import DEFAULT_NEIGHBOURS, choose_pairs, time_key
from retold.analysis.result import Analysis, attach_pairs, pair_record
from retold.article_fields import FieldOptions, field_keywords
from retold.io.tabular_input import ArticleInput
from retold.progress import no_progress as _no_progress

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from retold.attribution import Edge
    from retold.passages import Passage
    from retold.story_clustering import StoryVectors


@field_keywords
def analyze(
    docs: Iterable[Any],
    *,
    copy_threshold: float = 0.8,
    copy_measure: str = "containment",
    story_threshold: float | None = None,
    window_days: float = 3.0,
    min_tokens: int = 8,
    neighbours: int = DEFAULT_NEIGHBOURS,
    workers: int = 1,
    copy_options: Mapping[str, Any] | None = None,
    story_options: Mapping[str, Any] | None = None,
    align_options: Mapping[str, Any] | None = None,
    provenance_options: Mapping[str, Any] | None = None,
    reuse_options: Mapping[str, Any] | None = None,
    reused: bool = True,
    progress: ProgressHook | None = None,
    on_error: str = "raise",
    copy_similarity: str | None = None,
    **fields: Unpack[FieldOptions],
) -> Analysis:
    """Copies, stories, shared passages and provenance of a corpus, in one call.

    Parameters
    ----------
    docs : iterable of str, dict or Article, or a table
        A string's id is its position; a dict needs ``text`` and may have ``id``, ``title``,
        ``date``, ``source``, ``lang``.  Ids must be unique.  A pandas DataFrame or Series,
        pyarrow Table, RecordBatch or (Chunked)Array, ``datasets.Dataset`` or 1-D numpy array
        of strings works too (one article per row; see :mod:`retold.io.tabular_input`).
    copy_threshold : float
        Least similarity of two copies (:func:`retold.dedup`'s ``threshold``).
    copy_measure : {"containment", "jaccard"}
        :func:`retold.dedup`'s ``measure``: ``containment`` (default) also finds reprints
        trimmed of their end.  (``copy_similarity=`` in 0.1: still taken for one release,
        with a ``DeprecationWarning``.)
    story_threshold : float, optional
        Least average link of two stories to merge (:func:`retold.stories`'s ``threshold``,
        default :data:`retold.story_clustering.DEFAULT_THRESHOLD`).
    window_days : float
        Time scale of the stories' date discount (:func:`retold.stories`'s ``window_days``) and
        of the credit edges across stories.
    min_tokens : int
        Least number of equal words of a passage (:func:`retold.align`).
    neighbours : int
        Earlier units of its story each unit is aligned with (0: copy pairs only); see the
        :mod:`retold.analysis.pair_selection` for what is aligned up front and what on demand.
    workers : int
        Threads for signing, story features and alignment.
    copy_options, story_options, align_options, provenance_options : dict, optional
        Further keyword arguments of :func:`retold.dedup`, :func:`retold.stories`,
        :func:`retold.align` and :func:`retold.provenance` (e.g. ``{"ngram": 4}``,
        ``{"density_penalty": 0.25}``, ``{"quotes": False}``, ``{"min_confidence": 0.5}``).
    reuse_options : dict, optional
        Keyword arguments of :func:`retold.reused_passages` (``{"max_df": 50}``).
    reused : bool
        Look for passages reprinted anywhere in the corpus (stage ``reuse``; default True).
    progress : callable, optional
        ``progress(stage, total)`` returning a context manager that yields ``advance(n)``; the
        stages are ``copies``, ``stories``, ``passages``, ``provenance`` and ``reuse``.
        :meth:`retold.progress.Progress.stage` fits.
    on_error, id_field, text_field, title_field, date_field, source_field, lang_field
        How the rows are read, as for :func:`retold.stories`.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from retold.data import load_demo
    >>> result = analyze(load_demo())                           # doctest: +SKIP
    >>> result.save("retold-report")                            # doctest: +SKIP
    """
    from retold.copies import dedup
    from retold.story_clustering import (
        CLUSTERING_OPTIONS,
        DEFAULT_THRESHOLD,
        StoryModel,
        stories,
    )

    copy_measure = renamed_keyword(copy_measure, copy_similarity, old="copy_similarity", new="copy_measure",
                                   default="containment", where="analyze")
    source = ArticleInput(docs, on_error=on_error, **fields)
    neighbours = check_int(neighbours, "neighbours", 0, 1 << 20)
    workers = check_int(workers, "workers", 1, 1024)
    min_tokens = check_int(min_tokens, "min_tokens", 1, 1 << 40)
    copy_options = _check_options(copy_options, "copy_options",
                                  ("threshold", "measure", "similarity", "workers", "progress"))
    story_options = _check_options(story_options, "story_options",
                                   ("threshold", "window_days", "workers"))
    align_options = _check_options(align_options, "align_options", ("min_tokens",))
    align_options["min_tokens"] = min_tokens
    provenance_options = _check_options(provenance_options, "provenance_options",
                                        ("min_tokens", "passages", "pairs"))
    provenance_options["min_tokens"] = min_tokens
    reuse_options = _check_options(reuse_options, "reuse_options", ("workers", "progress"))
    if story_threshold is None:
        story_threshold = DEFAULT_THRESHOLD
    articles = source.articles()
    stage = progress or _no_progress
    n = len(articles)

    with stage("copies", n) as advance:
        def _ignore(k: int = 1) -> None:
            pass

        @contextmanager
        def dedup_progress(name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
            # dedup's first stage reads every document once: it moves the copies bar.
            yield advance if name == "sign" else _ignore

        copies = dedup(articles, threshold=copy_threshold, measure=copy_measure,
                       workers=workers, progress=dedup_progress, **copy_options)

    with stage("stories", n) as advance:
        model = story_options.pop("model", None)
        if model is None:
            model = StoryModel(**CLUSTERING_OPTIONS)
        found = stories(articles, threshold=story_threshold, window_days=window_days,
                        workers=workers, model=model, **story_options)
        vectors = found.vectors  # the ones the clustering compared: computed once
        advance(n)

    chosen = choose_pairs(articles, copies.labels, copies.representatives, found.labels,
                           vectors, neighbours)
    chosen.sort(key=lambda t: (int(found.labels[t[1]]), time_key(articles[t[1]], t[1]),
                               time_key(articles[t[0]], t[0])))
    options = {
        "copy_threshold": copy_threshold, "copy_measure": copy_measure,
        "story_threshold": story_threshold, "window_days": window_days,
        "min_tokens": min_tokens, "neighbours": neighbours,
        **{f"copy_{k}": v for k, v in copy_options.items()},
        **{f"story_{k}": v for k, v in story_options.items()},
        **{f"align_{k}": v for k, v in align_options.items() if k != "min_tokens"},
        **{f"provenance_{k}": v for k, v in provenance_options.items() if k != "min_tokens"},
        **{f"reuse_{k}": v for k, v in reuse_options.items()},
    }
    analysis = Analysis(
        articles=articles, copies=copies, stories=found, vectors=vectors,
        calibration=model.calibration, pairs=[], provenance=[], options=options,
        align_options=align_options, skipped=source.skipped, row_labels=source.row_labels(),
    )

    with stage("passages", len(chosen)) as advance:
        def job(t: tuple[int, int, str]) -> PairPassages:
            a, b, _ = t
            passages = tuple(align_pair(articles[a], articles[b], align_options))
            advance(1)
            return pair_record(analysis, a, b, passages)

        if workers > 1 and len(chosen) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pairs = list(pool.map(job, chosen))
        else:
            pairs = [job(t) for t in chosen]
    attach_pairs(analysis, pairs)

    with stage("provenance", n) as advance:
        analysis.provenance = _provenance(analysis, vectors, advance, provenance_options)
    if reused:
        from retold.passage_reuse import reused_passages

        with stage("reuse", 1) as advance:
            analysis.reused = reused_passages(articles, workers=workers, **reuse_options)
            advance(1)
    return analysis


def _provenance(analysis: Analysis, vectors: StoryVectors, advance: Callable[[int], None],
                options: Mapping[str, Any]) -> list[Edge]:
    """Provenance edges, story by story (each story's articles in time order).

    :func:`retold.provenance` judges the pairs the passages stage aligned within the story
    (copy pairs and story pairs, with their passages: nothing is aligned twice), plus the
    pairs an explicit attribution links, so its cost grows with the pairs chosen, not with
    the square of the story's size.
    """
    from retold.attribution import provenance

    edges: list[Edge] = []
    # Grouped here rather than through StoryResult.stories, whose labels take a tokenisation of
    # every member (they are made when the report needs them).
    by_story: dict[int, list[int]] = {}
    for i, s in enumerate(analysis.stories.labels.tolist()):
        by_story.setdefault(s, []).append(i)
    aligned: dict[int, dict[tuple[str, str], tuple[Passage, ...]]] = {}
    for pair in analysis.pairs:
        if pair.story is not None:
            aligned.setdefault(pair.story, {})[(pair.a, pair.b)] = pair.passages
    for s in sorted(by_story):
        members = sorted(by_story[s], key=lambda i: time_key(analysis.articles[i], i))
        if len(members) >= 2:
            edges.extend(provenance([analysis.articles[m] for m in members],
                                    passages=aligned.get(s, {}), **options))
        advance(len(members))
    return _with_credits_across_stories(analysis, vectors, edges, options)


def _with_credits_across_stories(analysis: Analysis, vectors: StoryVectors, edges: list[Edge],
                                 options: Mapping[str, Any]) -> list[Edge]:
    """Add the edges explicit credits make across stories: a rewrite the clustering kept apart
    from its source, often one in another language, that names the source's outlet
    (:func:`retold.attribution.with_credit_edges`, story similarity from the clustering's vectors)."""
    from retold.attribution import with_credit_edges

    return with_credit_edges(
        analysis.articles, edges, vectors.cosines,
        look_back_days=analysis.options.get("window_days", 3.0),
        min_confidence=options.get("min_confidence", 0.3),
    )


def _check_options(value: Any, name: str, forbidden: Sequence[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict of keyword arguments, not {type(value).__name__}")
    for key in value:
        if key in forbidden:
            raise ValueError(f"{name}: give {key!r} as an argument of analyze, not in {name}")
    return dict(value)
