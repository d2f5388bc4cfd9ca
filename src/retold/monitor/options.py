"""The options of a :class:`retold.Monitor`, checked once and kept in its store.

A store is made with one set of options and keeps them: reopening it with other values would
change what the same stream gives, so that is refused (name an option only to repeat it).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Mapping

from retold._validate import check_int, check_number


def defaults() -> dict[str, Any]:
    from retold.analysis import DEFAULT_NEIGHBOURS
    from retold.story_clustering import DEFAULT_THRESHOLD, STREAM_WINDOW_ARTICLES

    return {
        # copies, as retold.dedup judges them (its defaults as analyze uses them)
        "copy_threshold": 0.8, "copy_measure": "containment", "ngram": 5, "num_perm": 128,
        "recall": 0.95, "seed": 1,
        "copy_window_days": 7.0, "copy_window_articles": 50_000,
        # stories (retold.StoryClusterer)
        "story_threshold": DEFAULT_THRESHOLD, "window_days": 3.0, "horizon_days": None,
        "window_articles": STREAM_WINDOW_ARTICLES, "story_lag": 0,
        # passages and provenance (as retold.analyze)
        "min_tokens": 8, "neighbours": DEFAULT_NEIGHBOURS, "passages": True, "provenance": True,
        "min_confidence": 0.3,
        # how often the story clusterer is checkpointed (articles); later batches are replayed
        # on restart (20,000 articles: ~2-3 s), and close() checkpoints, so a clean stop
        # replays nothing.  A checkpoint costs 0.3-0.6 s whatever the interval (the window's
        # vectors, ~60 MB pickled): every 5,000 it was a fifth of the add's time.
        "checkpoint_every": 20_000,
    }


#: Options renamed for one vocabulary (CHANGELOG.md), old name -> new.  The old name is taken
#: for one release, with a warning; a store written before the rename keeps it, read silently.
RENAMED = {"copy_similarity": "copy_measure"}


def current_names(given: Mapping[str, Any], *, warn: bool) -> dict[str, Any]:
    """``given`` with renamed options under their new names."""
    out = dict(given)
    for old, new in RENAMED.items():
        if old not in out:
            continue
        value = out.pop(old)
        if warn:
            warnings.warn(f"Monitor option {old} is renamed {new}; the old name goes in the next release",
                          DeprecationWarning, stacklevel=4)
        if new in out and out[new] != value:
            raise TypeError(f"Monitor got {old}={value!r} and {new}={out[new]!r}: give only {new}")
        out[new] = value
    return out


def check_options(given: Mapping[str, Any], *, warn: bool = True) -> dict[str, Any]:
    """``given`` over the defaults, each value checked; unknown names are refused."""
    from retold.copies import check_dedup_options

    given = current_names(given, warn=warn)
    out = defaults()
    for key in given:
        if key not in out:
            raise TypeError(f"Monitor got an unknown option {key!r} (options: {', '.join(sorted(out))})")
    out.update(given)
    if out["copy_measure"] not in ("containment", "jaccard"):
        raise ValueError(f"copy_measure must be 'containment' or 'jaccard', not {out['copy_measure']!r}")
    check_dedup_options(threshold=out["copy_threshold"], recall=out["recall"], ngram=out["ngram"],
                        keep="earliest", measure=out["copy_measure"], verify=True,
                        lsh_threshold=None)
    out["copy_threshold"] = float(out["copy_threshold"])
    out["recall"] = float(out["recall"])
    for name, low, high in (("ngram", 1, 1 << 10), ("num_perm", 1, 1 << 16), ("seed", 0, (1 << 63) - 1),
                            ("copy_window_articles", 1, 1 << 40), ("window_articles", 1, 1 << 40),
                            ("story_lag", 0, 1 << 40), ("min_tokens", 1, 1 << 40),
                            ("neighbours", 0, 1 << 20), ("checkpoint_every", 1, 1 << 40)):
        out[name] = check_int(out[name], name, low, high)
    bounds: tuple[tuple[str, float, float], ...] = (
        ("copy_window_days", 0.0, 1e9), ("window_days", 0.0, 1e9),
        ("story_threshold", -1.0, 1.0), ("min_confidence", 0.0, 1.0))
    for name, fl, fh in bounds:  # not low/high: those are the int bounds above
        out[name] = float(check_number(out[name], name, fl, fh))
    if out["horizon_days"] is not None:
        out["horizon_days"] = float(check_number(out["horizon_days"], "horizon_days", 0.0, 1e9))
    for name in ("passages", "provenance"):
        if not isinstance(out[name], bool):
            raise TypeError(f"{name} must be a bool, not {type(out[name]).__name__}")
    return out


def reconcile(stored: Mapping[str, Any], given: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The stored options, after checking that ``given`` repeats them."""
    checked = check_options(given)
    stored = current_names(stored, warn=False)
    for key in current_names(given, warn=False):
        if _differs(checked[key], stored.get(key)):
            raise ValueError(
                f"{path}: the store was made with {key}={stored.get(key)!r}; it cannot continue "
                f"with {key}={checked[key]!r} (start a new store for other options)")
    return check_options(stored, warn=False)


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)):
        return not math.isclose(a, float(b), rel_tol=0, abs_tol=0)
    differs: bool = a != b
    return differs
