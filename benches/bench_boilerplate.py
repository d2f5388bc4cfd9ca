"""Site boilerplate: false copy pairs it causes, and stories, before and after stripping it.

The corpus: :func:`retold.synthetic.story_corpus` (events told by outlets in their own words,
gold event labels), with each outlet given a site template of its own -- a banner, a
subscription notice and a copyright line on every page, a "most read" line on 70 % of them --
as paragraphs (lines) of the text, as trafilatura leaves them when they sit inside the article
body.  A quarter of the articles are briefs (15 words) that the template outweighs.  Planted on top:

- reprints: an article copied onto another outlet's site (its template around it): true copies;
- update chains: one outlet re-publishing one article 2-6 times with a line changed (true
  copies inside one source, which a too-eager threshold would strip apart).

A *false copy pair* is a pair dedup reports whose articles are not the same original.  The grid
over (min_articles, min_fraction) is what the defaults were tuned on.

    PYTHONPATH=src python benches/bench_boilerplate.py [--docs 4000] [--outlets 40]
"""
from __future__ import annotations

import argparse
import random
import time
from typing import Any

from retold import Article, dedup, stories
from retold.boilerplate import BoilerplateReport, strip_boilerplate
from retold.evaluation.clusters import bcubed
from retold.synthetic import story_corpus


def _template(rng: random.Random, outlet: int) -> list[tuple[str, float]]:
    name = f"The {rng.choice(['Daily', 'Evening', 'Morning', 'Weekly'])} {rng.choice(['Post', 'Herald', 'Courier', 'Star', 'Times'])} of City{outlet}"
    return [
        (f"{name}: independent news since {1850 + outlet} for the region and the world beyond it", 1.0),
        (f"Subscribe to {name} today and get unlimited access to every story, the daily newsletter "
         f"and the e-paper for only {outlet % 9 + 1} euros a month; cancel at any time online", 1.0),
        (f"Copyright 2024 {name} Media Group. All rights reserved. Reproduction without permission is prohibited.", 1.0),
        (f"Most read on {name} this week: the weather, the local elections and the football results", 0.7),
    ]


def make_corpus(n_docs: int, outlets: int, seed: int = 0) -> tuple[list[Article], list[int], list[int]]:
    """Articles, gold story label, gold copy group (the original each one reproduces)."""
    rng = random.Random(seed)
    base = story_corpus(n_docs, seed=seed, outlets=outlets, mean_words=120)
    templates = [_template(rng, o) for o in range(outlets)]

    def dress(body: list[str], outlet: int) -> str:
        lines = [templates[outlet][0][0], *body]
        lines += [line for line, share in templates[outlet][1:] if rng.random() < share]
        return "\n".join(lines)

    articles: list[Article] = []
    story: list[int] = []
    group: list[int] = []
    for i, text in enumerate(base.texts):
        words = text.split()
        if rng.random() < 0.25:
            words = words[:15]  # a brief: the template outweighs it
        body = [" ".join(words[k : k + 30]) for k in range(0, len(words), 30)]
        outlet = int(base.outlet[i])
        articles.append(Article(id=f"a{i}", text=dress(body, outlet), source=f"site{outlet}",
                                date=base.dates[i], title=base.titles[i]))
        story.append(int(base.story[i]))
        group.append(i)
        if rng.random() < 0.08:  # a reprint on another site
            other = (outlet + 1 + rng.randrange(outlets - 1)) % outlets
            articles.append(Article(id=f"a{i}-r", text=dress(body, other), source=f"site{other}",
                                    date=base.dates[i], title=base.titles[i]))
            story.append(int(base.story[i]))
            group.append(i)
        if rng.random() < 0.04:  # an update chain inside the outlet
            for v in range(rng.randint(2, 6)):
                changed = body + [f"Update {v}: the story was updated with new details at {v + 10} o'clock."]
                articles.append(Article(id=f"a{i}-u{v}", text=dress(changed, outlet), source=f"site{outlet}",
                                        date=base.dates[i], title=base.titles[i]))
                story.append(int(base.story[i]))
                group.append(i)
    return articles, story, group


def measure(articles: list[Article], story: list[int], group: list[int], copy_measure: str) -> dict[str, Any]:
    result = dedup(articles, measure=copy_measure)
    index = {a.id: k for k, a in enumerate(articles)}
    false_pairs = true_pairs = 0
    for left, right in zip(result.pairs.a, result.pairs.b):
        a, b = (index[x] for x in (left, right)) if isinstance(left, str) else (int(left), int(right))
        if group[a] == group[b]:
            true_pairs += 1
        else:
            false_pairs += 1
    gold_pairs = sum(n * (n - 1) // 2 for n in _sizes(group))
    found = stories(articles)
    p, r, f = bcubed(list(found.labels), story)
    return {"false_pairs": false_pairs, "true_pairs": true_pairs, "gold_pairs": gold_pairs,
            "bcubed": (p, r, f)}


def _sizes(labels: list[int]) -> list[int]:
    counts: dict[int, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return list(counts.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--measure", default="jaccard", choices=["jaccard", "containment"])
    args = parser.parse_args()
    articles, story, group = make_corpus(args.docs, args.outlets)
    print(f"{len(articles)} articles, {args.outlets} outlets (~{len(articles) // args.outlets} a source), dedup measure={args.measure}")
    before = measure(articles, story, group, args.measure)
    print(f"{'setting':<24}{'false pairs':>12}{'true pairs':>12}{'gold':>7}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'lines':>8}{'s':>6}")

    def row(name: str, m: dict[str, Any], lines: int | str, secs: float | str) -> None:
        p, r, f = m["bcubed"]
        s = f"{secs:.2f}" if isinstance(secs, float) else secs
        print(f"{name:<24}{m['false_pairs']:>12}{m['true_pairs']:>12}{m['gold_pairs']:>7}{p:>7.3f}{r:>7.3f}{f:>7.3f}{lines:>8}{s:>6}")

    row("no stripping", before, "-", "-")
    for min_articles, min_fraction in [(3, 0.0), (5, 0.05), (5, 0.2), (5, 0.5), (10, 0.2), (20, 0.5)]:
        report = BoilerplateReport()
        t0 = time.perf_counter()
        stripped = strip_boilerplate(articles, min_articles=min_articles, min_fraction=min_fraction, report=report)
        secs = time.perf_counter() - t0
        row(f"N>={min_articles}, >={min_fraction:.0%} of src", measure(stripped, story, group, args.measure),
            report.lines_dropped, secs)


if __name__ == "__main__":
    main()
