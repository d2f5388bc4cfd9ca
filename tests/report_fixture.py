"""Report data models for the report tests, built without the analysis layers.

``demo_report_data()`` fills the report data model (see ``retold.report.render``) from the demo
corpus: the gold copy clusters and stories, passages found by a plain exact shared-word-run
finder written here, and the gold provenance edges with evidence counted from those passages.
``synthetic_report_data(n)`` makes a large, random but well-formed model for the size and speed
checks.  Tests only: ``retold.analyze`` will produce the real thing.
"""
from __future__ import annotations

import itertools
import math
import random
import re
from collections import Counter
from datetime import datetime, timedelta, timezone

import retold
from retold.data import load_demo, load_demo_gold

MIN_RUN = 6          # words (characters for Chinese, one token each) a shared run must have
_QUOTE_RE = re.compile(r'"[^"\n]+"|“[^”\n]+”|„[^“”\n]+[“”]|«[^»\n]+»|「[^」\n]+」|‘[^’\n]{12,}’')
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_STOP = set(
    """the a an and or of to in on at for with from by as is was were be been are it its that this
    he she they we you his her their our after before over into than but not no has have had will
    would said says say also more most which who when where while about up out new one two all
    der die das und den dem des ein eine ist mit von für auf im zu sich nach bei auch nicht wie
    el la los las de del y en un una que por con para se al es su sus lo como más
    le les et du un une dans pour sur est au aux par qui que ne pas plus
    в и на не с по что из за от как к до это для о у а через после
    ve bir bu da de ile için olarak""".split()
)


def _iso(value: str | None) -> str | None:
    return value or None


def _quote_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether at least half of [start, end) lies inside quotation marks."""
    covered = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
    return end > start and covered * 2 >= end - start


def shared_runs(text_a: str, text_b: str, *, min_run: int = MIN_RUN) -> list[dict]:
    """Maximal runs of at least ``min_run`` identical tokens shared by two texts, greedily.

    Tokens come from ``retold.tokenize`` (case-folded hashes with character offsets).  Each
    token of ``a`` and of ``b`` is used by at most one run; runs are taken longest first.
    """
    ta, tb = retold.tokenize(text_a), retold.tokenize(text_b)
    ha, hb = ta.hashes.tolist(), tb.hashes.tolist()
    if len(ha) < min_run or len(hb) < min_run:
        return []
    where: dict[tuple, list[int]] = {}
    for j in range(len(hb) - min_run + 1):
        where.setdefault(tuple(hb[j:j + min_run]), []).append(j)
    candidates = []
    for i in range(len(ha) - min_run + 1):
        for j in where.get(tuple(ha[i:i + min_run]), ()):
            if i and j and ha[i - 1] == hb[j - 1]:
                continue  # not the start of a maximal run
            n = min_run
            while i + n < len(ha) and j + n < len(hb) and ha[i + n] == hb[j + n]:
                n += 1
            candidates.append((n, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_a, used_b, runs = set(), set(), []
    for n, i, j in candidates:
        if used_a.intersection(range(i, i + n)) or used_b.intersection(range(j, j + n)):
            continue
        used_a.update(range(i, i + n))
        used_b.update(range(j, j + n))
        runs.append((i, j, n))
    runs.sort()
    qa, qb = _quote_spans(text_a), _quote_spans(text_b)
    passages = []
    for i, j, n in runs:
        a_start, a_end = int(ta.starts[i]), int(ta.ends[i + n - 1])
        b_start, b_end = int(tb.starts[j]), int(tb.ends[j + n - 1])
        passages.append({
            "a_start": a_start, "a_end": a_end, "b_start": b_start, "b_end": b_end,
            "tokens": n, "score": float(n),
            "quoted": _inside(qa, a_start, a_end) and _inside(qb, b_start, b_end),
        })
    return passages


def _coverage(text_a: str, text_b: str, passages: list[dict]) -> float:
    shorter = min(len(retold.tokenize(text_a).hashes), len(retold.tokenize(text_b).hashes))
    return min(1.0, sum(p["tokens"] for p in passages) / shorter) if shorter else 0.0


def _similarity(text_a: str, text_b: str) -> float:
    return retold.jaccard(retold.shingles(text_a, ngram=5), retold.shingles(text_b, ngram=5))


def _label(texts: list[str], df: Counter, n_docs: int, k: int = 5) -> list[str]:
    tf: Counter = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        for word in _WORD_RE.findall(text):
            key = word.casefold()
            if len(key) < 4 or key in _STOP or key.isdigit():
                continue
            tf[key] += 1
            shown.setdefault(key, word)
    scored = sorted(tf, key=lambda w: (-tf[w] * math.log(n_docs / df[w]), w))
    return [shown[w] for w in scored[:k]]


def demo_report_data() -> dict:
    """The report data model for the demo corpus (gold clusters and stories, found passages)."""
    records = load_demo()
    gold = load_demo_gold()
    by_id = {r["id"]: r for r in records}

    def when(article_id: str) -> str:
        return by_id[article_id]["date"] or ""

    representative = {}
    copies = []
    for cid, members in sorted(gold["copy_clusters"].items()):
        members = sorted(members, key=lambda m: (when(m), m))
        rep = members[0]
        for m in members:
            representative[m] = rep
        copies.append({
            "id": cid, "representative": rep, "members": members,
            "pairs": [{"a": rep, "b": m, "similarity": round(_similarity(by_id[rep]["text"], by_id[m]["text"]), 4),
                       "verified": True} for m in members[1:]],
        })
    cluster_of = {m: cid for cid, ms in gold["copy_clusters"].items() for m in ms}
    story_of = {m: sid for sid, ms in gold["stories"].items() for m in ms}

    df: Counter = Counter()
    for r in records:
        df.update({w.casefold() for w in _WORD_RE.findall(r["title"] + " " + r["text"])})
    stories = []
    for sid, members in sorted(gold["stories"].items()):
        members = sorted(members, key=lambda m: (when(m), m))
        arts = [by_id[m] for m in members]
        dates = [a["date"] for a in arts if a["date"]]
        stories.append({
            "id": sid,
            "label": _label([a["title"] + " " + a["text"] for a in arts], df, len(records)),
            "size": len(arts),
            "start": min(dates) if dates else None, "end": max(dates) if dates else None,
            "sources": list(dict.fromkeys(a["source"] for a in arts)),
            "languages": list(dict.fromkeys(a["lang"] for a in arts)),
            "articles": members,
        })

    pairs = []
    for story in stories:
        for a_id, b_id in itertools.combinations(story["articles"], 2):
            ta, tb = by_id[a_id]["text"], by_id[b_id]["text"]
            passages = shared_runs(ta, tb)
            pairs.append({
                "a": a_id, "b": b_id, "story": story["id"],
                "kind": "copy" if cluster_of[a_id] == cluster_of[b_id] else "story",
                "similarity": round(_similarity(ta, tb), 4),
                "coverage": round(_coverage(ta, tb, passages), 4),
                "passages": passages,
            })
    pair_index = {(p["a"], p["b"]): p for p in pairs}

    confidence = {"copy": 0.95, "attribution": 0.75, "rewrite": 0.5}
    provenance = []
    for edge in gold["provenance"]:
        src, der = edge["source_id"], edge["derived_id"]
        pair = pair_index.get((src, der)) or pair_index.get((der, src))
        t0 = datetime.fromisoformat(when(src).replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(when(der).replace("Z", "+00:00"))
        hours = (t1 - t0).total_seconds() / 3600
        evidence = [f"published {hours:.1f} h earlier"]
        if pair and pair["passages"]:
            n_tokens = sum(p["tokens"] for p in pair["passages"])
            quoted = sum(p["quoted"] for p in pair["passages"])
            evidence.append(f"shares {len(pair['passages'])} passages ({n_tokens} words)"
                            + (f", {quoted} quoted" if quoted else ""))
        if edge["via"] == "copy":
            evidence.append(f"copy of the source (similarity {pair['similarity']:.2f})" if pair else "copy of the source")
        elif edge["via"] == "attribution":
            evidence.append(f"names the source: {by_id[src]['source']}")
        else:
            evidence.append("same story and the same quote")
        provenance.append({"source_id": src, "derived_id": der,
                           "confidence": confidence[edge["via"]], "evidence": evidence})

    articles = []
    for r in records:
        articles.append({
            "id": r["id"], "title": r["title"], "source": r["source"], "date": _iso(r["date"]),
            "lang": r["lang"], "copy_cluster": cluster_of[r["id"]], "story": story_of[r["id"]],
            "is_representative": representative[r["id"]] == r["id"], "text": r["text"],
        })
    return {
        "title": "retold demo corpus",
        "generated": "2026-03-20T12:00:00+00:00",
        "retold_version": retold.__version__,
        "options": {"source": "demo gold labels (test fixture)", "passages": f"exact shared runs of >= {MIN_RUN} tokens"},
        "summary": {
            "articles": len(articles), "copy_clusters": len(copies), "stories": len(stories),
            "passages": sum(len(p["passages"]) for p in pairs), "edges": len(provenance),
        },
        "articles": articles, "copies": copies, "stories": stories, "pairs": pairs,
        "provenance": provenance,
    }


_SYLLABLES = ["ka", "lo", "mi", "ren", "to", "sa", "vel", "an", "dor", "is", "mun", "pe", "tar", "qu", "el", "ni"]
_LANGS = ["en", "de", "es", "fr", "ru", "ar", "zh", "tr"]


def synthetic_report_data(n_articles: int = 10_000, *, seed: int = 0, words_per_article: int = 120) -> dict:
    """A large, well-formed random report model: stories of 1-12 articles with copies, pairs,
    passages and provenance edges, for size and load-time checks."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(3000)]
    outlets = [f"Outlet {i:03d} {rng.choice(vocab).title()}" for i in range(300)]
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    articles, stories, copies, pairs, provenance = [], [], [], [], []
    i = 0
    while i < n_articles:
        size = min(n_articles - i, rng.choice([1, 1, 1, 2, 3, 4, 5, 8, 12]))
        sid = f"s{len(stories):05d}"
        start = base + timedelta(hours=rng.randint(0, 24 * 365))
        wire = " ".join(rng.choice(vocab) for _ in range(words_per_article)) + "."
        ids = []
        for k in range(size):
            aid = f"a{i:06d}"
            copy = k > 0 and rng.random() < 0.4
            if copy or k == 0:
                words = wire.split()
                cut = rng.randint(0, 10)
                text = " ".join(words[: len(words) - cut])
            else:
                words = wire.split()
                keep = rng.randint(8, 20)
                at = rng.randint(0, len(words) - keep)
                own = [rng.choice(vocab) for _ in range(words_per_article)]
                text = " ".join(own[:40] + ["\u201c"] + words[at:at + keep] + ["\u201d"] + own[40:]) + "."
            articles.append({
                "id": aid, "title": " ".join(rng.choice(vocab) for _ in range(7)).capitalize(),
                "source": rng.choice(outlets),
                "date": (start + timedelta(minutes=37 * k)).isoformat(),
                "lang": rng.choice(_LANGS), "copy_cluster": None, "story": sid,
                "is_representative": False, "text": text, "_copy": copy,
            })
            ids.append(aid)
            i += 1
        members = [articles[-size]["id"]] + [a["id"] for a in articles[-size + 1:] if a["_copy"]] if size > 1 else [ids[0]]
        cid = f"c{len(copies):05d}"
        copies.append({"id": cid, "representative": ids[0], "members": members,
                       "pairs": [{"a": ids[0], "b": m, "similarity": 0.9, "verified": True} for m in members[1:]]})
        for a in articles[-size:]:
            if a["id"] in members:
                a["copy_cluster"], a["is_representative"] = cid, a["id"] == ids[0]
            else:
                cid2 = f"c{len(copies):05d}"
                copies.append({"id": cid2, "representative": a["id"], "members": [a["id"]], "pairs": []})
                a["copy_cluster"], a["is_representative"] = cid2, True
        arts = articles[-size:]
        stories.append({
            "id": sid, "label": sorted({w for a in arts for w in a["title"].split()[:2]})[:5], "size": size,
            "start": arts[0]["date"], "end": arts[-1]["date"],
            "sources": list(dict.fromkeys(a["source"] for a in arts)),
            "languages": list(dict.fromkeys(a["lang"] for a in arts)), "articles": ids,
        })
        for b in arts[1:]:
            n = len(arts[0]["text"])
            s0 = rng.randint(0, n // 2)
            e0 = min(n, s0 + rng.randint(40, 200))
            m = len(b["text"])
            s1 = rng.randint(0, max(0, m - (e0 - s0)))
            pairs.append({"a": ids[0], "b": b["id"], "story": sid, "kind": "copy" if b["_copy"] else "story",
                          "similarity": round(rng.random(), 3), "coverage": round(rng.random(), 3),
                          "passages": [{"a_start": s0, "a_end": e0, "b_start": s1, "b_end": min(m, s1 + e0 - s0),
                                        "tokens": 12, "score": 12.0, "quoted": not b["_copy"]}]})
            provenance.append({"source_id": ids[0], "derived_id": b["id"], "confidence": round(rng.random(), 3),
                               "evidence": ["published earlier", "shares a passage"]})
    for a in articles:
        del a["_copy"]
    return {
        "title": f"synthetic report of {n_articles:,} articles",
        "generated": "2026-03-20T12:00:00+00:00", "retold_version": retold.__version__,
        "options": {"seed": seed},
        "summary": {"articles": len(articles), "copy_clusters": len(copies), "stories": len(stories),
                    "passages": sum(len(p["passages"]) for p in pairs), "edges": len(provenance)},
        "articles": articles, "copies": copies, "stories": stories, "pairs": pairs, "provenance": provenance,
    }
