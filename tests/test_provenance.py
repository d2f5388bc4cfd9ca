"""Provenance: attributions in many languages, edges with evidence, the seeds' known answer."""
from __future__ import annotations

import datetime as dt

import pytest

import retold
from retold import Article
from retold.attribution import Edge, Evidence, find_attributions, provenance


@pytest.mark.parametrize(
    "text, name",
    [
        ("The ministry said so, according to Yonhap.", "Yonhap"),
        ("SEOUL, Sept. 14 (Yonhap) -- South Korea said", "Yonhap"),
        ("Tensions rose, CNN reported on Friday.", "CNN"),
        ("The minister told Reuters on Monday that", "Reuters"),
        ("The agency said, citing the Associated Press.", "Associated Press"),
        ("Laut Reuters hat die Regierung beschlossen.", "Reuters"),
        ("Según EFE, el gobierno aprobó la ley.", "EFE"),
        ("Selon l’AFP, le gouvernement a annoncé.", "AFP"),
        ("Как сообщает ТАСС, правительство одобрило закон.", "ТАСС"),
        ("وفقا لوكالة رويترز، قالت الحكومة", "وكالة رويترز"),
        ("据新华社报道，政府今天宣布。", "新华社"),
        ("Yonhap ajansının haberine göre, hükümet açıkladı.", "Yonhap"),
        ("اے پی پی کے مطابق وزیر اعظم نے اجلاس کی صدارت کی", "اے پی پی"),
        ("МОСКВА, 10 марта. /ТАСС/. Правительство одобрило закон.", "ТАСС"),
        ("新华社北京3月5日电 政府今天宣布。", "新华社"),
    ],
)
def test_attributions_in_many_languages(text, name):
    assert name in [a.name for a in find_attributions(text)]


def test_parentheses_outside_credit_places_are_not_sources():
    text = "He hopes (Russia) complies, and Kim (L) met Putin. The U.N. (Security Council) met.\n(END)"
    assert find_attributions(text) == []
    # Slashes and datelines likewise: only a wire's credit, not paths or a paper's own dateline.
    assert find_attributions("Speeds in km/h, A/B tests, the /Users/ folder and /Ok/ then.") == []
    assert find_attributions("本报北京3月5日电 记者") == []


def test_known_names_are_found_lowercase_and_after_filler():
    found = find_attributions(
        "Wie die dpa berichtete, kam es. According to South Korea's Yonhap news agency, it did.",
        ["dpa", "Yonhap"],
    )
    assert [a.name for a in found] == ["dpa", "Yonhap"]


def article(id, text, source=None, date=None):
    return Article(id=id, text=text, source=source, date=date)


WIRE = (
    "The central bank raised its main interest rate by half a percentage point on Thursday to "
    "fight inflation that has reached its highest level in two decades, the bank said in a "
    "statement after its board met in the capital. Economists had expected a smaller increase."
)


def test_attribution_and_passages_give_a_directed_edge():
    derived = ("According to Wirepress, the central bank raised its main interest rate by half a "
               "percentage point on Thursday to fight inflation that has reached its highest level "
               "in two decades. Local businesses reacted with concern.")
    docs = [article("w", WIRE, "Wirepress"), article("d", derived, "Daily Example")]
    (edge,) = provenance(docs)
    assert (edge.source_id, edge.derived_id, edge.external) == ("w", "d", False)
    kinds = [e.kind for e in edge.evidence]
    assert kinds[:2] == ["attribution", "passages"]
    assert 0.8 < edge.confidence <= 1.0
    assert retold.Edge is Edge
    # The package attribute may be the module (imported above) or the function: both call.
    assert retold.provenance(docs) == [edge]
    assert edge.to_dict()["evidence"][0]["detail"] == "According to Wirepress"


def test_dates_and_coverage_set_the_direction_without_attribution():
    copy = WIRE[:200]
    early, late = dt.datetime(2024, 1, 1, 8), dt.datetime(2024, 1, 1, 12)
    (edge,) = provenance([article("copy", copy, date=late), article("wire", WIRE, date=early)])
    assert (edge.source_id, edge.derived_id) == ("wire", "copy")
    assert {e.kind for e in edge.evidence} == {"passages", "coverage", "date"}
    # A later date counts against: the same pair with dates swapped loses confidence.
    (swapped,) = provenance([article("copy", copy, date=early), article("wire", WIRE, date=late)])
    assert swapped.confidence < edge.confidence


def test_no_evidence_no_edge_and_ties_give_no_direction():
    other = "A football club signed a new striker from abroad for a record fee this summer."
    assert provenance([article("a", WIRE), article("b", other)]) == []
    # The same text twice, no dates, no attribution: linked, but no way to tell who copied.
    assert [e for e in provenance([article("a", WIRE), article("b", WIRE)]) if not e.external] == []


def test_external_sources_are_reported():
    docs = [article("x", "Tensions rose sharply on Friday, CNN reported, citing officials.")]
    (edge,) = provenance(docs)
    assert edge.external and edge.source_id is None and edge.source_name == "CNN"
    assert provenance(docs, external=False) == []


def test_self_credit_is_not_an_attribution():
    docs = [article("y", "SEOUL, Sept. 14 (Yonhap) -- Something happened today.", "Yonhap")]
    assert provenance(docs) == []


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="min_confidence"):
        provenance([], min_confidence=2)
    with pytest.raises(ValueError, match="occurs more than once"):
        provenance([article("a", "x"), article("a", "y")])
    with pytest.raises(TypeError):
        provenance([3])
    assert provenance([]) == []


def test_seeds_yonhap_to_aa(seeds):
    docs = [
        article("yonhap", seeds["yonhap"], "Yonhap"),
        article("aa", seeds["aa"], "Anadolu Agency"),
        article("rbc", seeds["rbc-ukraine"], "RBC-Ukraine"),
    ]
    edges = provenance(docs)
    internal = [(e.source_id, e.derived_id) for e in edges if not e.external]
    assert internal[0] == ("yonhap", "aa")
    top = edges[0]
    assert top.evidence[0] == Evidence("attribution", "According to Yonhap", 0.75)
    assert ("CNN", "rbc") in [(e.source_name, e.derived_id) for e in edges if e.external]
    # AA's own credit "(AA)" matches its source's initials: not an external source.
    assert "AA" not in [e.source_name for e in edges if e.external]


def test_demo_corpus_provenance_against_its_gold():
    data = pytest.importorskip("retold.data")
    try:
        docs, gold = data.load_demo(), data.load_demo_gold()
    except (FileNotFoundError, AttributeError):
        pytest.skip("the demo corpus is not there yet")
    stories: dict = {}
    for doc in docs:
        stories.setdefault(doc["story"], []).append(doc)
    found = {
        (e.source_id, e.derived_id)
        for group in stories.values()
        for e in provenance(group)
        if not e.external
    }
    expected = {(e["source_id"], e["derived_id"]) for e in gold["provenance"]}
    hits = len(found & expected)
    # Measured 34 of 34 edges right, 34 of 40 found: the misses are rewrites in another
    # language that neither name the wire nor share its words.  (Before the earliest-source
    # rule and the geometric passage weight: 31 of 33 right, 31 found.)
    assert hits / len(found) >= 0.97
    assert hits / len(expected) >= 0.825
    # Reprints are credited to the wire, not to an earlier reprint; a rewrite sharing one
    # reworded sentence with the wire is linked to it.
    assert {("d37", "d39"), ("d25", "d27"), ("d37", "d42")} <= found
    assert not {("d38", "d39"), ("d26", "d27")} & found
    # The copies keep the wire's credit ("/Северный телеграф/", "环岸通讯社海岚3月5日电"): the
    # edges to them are credited.
    credited = {(e.source_id, e.derived_id) for group in stories.values() for e in provenance(group)
                if any(x.kind == "attribution" for x in e.evidence)}
    assert {("d37", "d39"), ("d25", "d26"), ("d25", "d27")} <= credited
    # No external source made of Arabic words that merely follow a verb of saying.
    externals = {e.derived_id for group in stories.values() for e in provenance(group)
                 if e.external and not e.source_name.isascii()}
    assert not {"d44", "d45"} & externals


# ---------------------------------------------------------------- precomputed passages and pairs


def _three():
    credited = ("According to Wirepress, the central bank raised its main interest rate by half "
                "a percentage point on Thursday. Local businesses reacted with concern.")
    reprint = WIRE[:230]
    return [article("w", WIRE, "Wirepress", dt.datetime(2024, 1, 1, 8)),
            article("c", credited, "Daily Example", dt.datetime(2024, 1, 1, 9)),
            article("r", reprint, "Other Daily", dt.datetime(2024, 1, 1, 10))]


@pytest.fixture
def align_calls(monkeypatch):
    import retold.passages as passages_module

    calls = []
    real = passages_module.align

    def counting(a, b, **options):
        calls.append((a[:20], b[:20]))
        return real(a, b, **options)

    monkeypatch.setattr(passages_module, "align", counting)
    return calls


def test_precomputed_passages_are_used_and_attributions_still_link(align_calls):
    from retold.passages import align as real_align

    docs = _three()
    everything = provenance(docs)
    assert len(align_calls) == 3  # every pair of three
    given = {("w", "r"): real_align(WIRE, docs[2].text)}
    swapped = {("r", "w"): real_align(docs[2].text, WIRE)}
    align_calls.clear()
    edges = provenance(docs, passages=given)
    # The given pair is not aligned again; the credited pair (c names Wirepress) is.
    assert align_calls == [(WIRE[:20], docs[1].text[:20])]
    assert [(e.source_id, e.derived_id) for e in edges if not e.external] == \
        [(e.source_id, e.derived_id) for e in everything if not e.external]
    # The same passages seen from the other article give the same edges.
    assert provenance(docs, passages=swapped) == edges
    # All pairs given: the same result as aligning them all, and no alignment.
    ids = [d.id for d in docs]
    full = {(a, b): real_align(docs[i].text, docs[j].text)
            for i, a in enumerate(ids) for j, b in enumerate(ids) if i < j}
    align_calls.clear()
    assert provenance(docs, passages=full) == everything and align_calls == []


def test_pairs_bound_what_is_judged(align_calls):
    docs = _three()
    # No pairs: only the credited pair is judged.
    edges = provenance(docs, pairs=[])
    assert [(e.source_id, e.derived_id) for e in edges] == [("w", "c")]
    assert len(align_calls) == 1
    edges = provenance(docs, pairs=[("r", "w")])
    assert {(e.source_id, e.derived_id) for e in edges} == {("w", "c"), ("w", "r")}


def test_passages_and_pairs_are_validated():
    docs = _three()
    with pytest.raises(TypeError, match="passages must be a mapping"):
        provenance(docs, passages=[("w", "r")])
    with pytest.raises(ValueError, match="passages: pair .* not in docs"):
        provenance(docs, passages={("w", "zz"): []})
    with pytest.raises(ValueError, match="pairs: pair .* itself"):
        provenance(docs, pairs=[("w", "w")])
    with pytest.raises(TypeError, match="pairs: a pair must be a tuple"):
        provenance(docs, pairs=["wr"])


ATTRIBUTION_TEXTS = [
    "The ministry said so, according to Yonhap.", "SEOUL, Sept. 14 (Yonhap) -- South Korea said",
    "Tensions rose, CNN REPORTED on Friday.", "THE MINISTER TOLD REUTERS ON MONDAY THAT",
    "Wie die dpa berichtete, kam es. Nach Angaben der Polizei Berlin blieb es ruhig.",
    "Según EFE, el gobierno aprobó la ley. El País informó ayer.",
    "Selon l’AFP, le gouvernement a annoncé. Le Monde rapporte que.",
    "Как сообщает ТАСС, правительство одобрило закон. РИА Новости пишет.",
    "وفقا لوكالة رويترز، قالت الحكومة", "据新华社报道，政府今天宣布。新华社消息称",
    "НОВОАРСК, 10 марта. /Северный телеграф/. Власти. Скорость 60 км/ч, /ТАСС/",
    "环岸通讯社海岚3月5日电 青云汽车。新华社北京3月5日电",
    "Yonhap ajansının haberine göre, hükümet açıkladı. AA'ya konuşan bakan. DHA AKTARDI.",
    "اے پی پی کے مطابق وزیر اعظم نے اجلاس کی صدارت کی", "Source: Reuters\nCredit: AP",
]


def test_trigger_prefilter_changes_no_result(seeds):
    """Skipping a pattern whose trigger words are absent must never lose an attribution."""
    from retold.attribution.scanning import _scan

    texts = list(ATTRIBUTION_TEXTS) + list(seeds.values())
    try:
        from retold.data import load_demo

        texts += [f"{d.get('title') or ''}\n{d['text']}" for d in load_demo()]
    except (ImportError, FileNotFoundError):
        pass
    names = ("AA", "Anadolu Agency", "CNN", "Reuters", "Yonhap", "dpa", "ТАСС", "رويترز", "新华社",
             "Северный телеграф", "环岸通讯社")
    for text in texts:
        for known in ((), names):
            assert _scan(text, known, prefilter=True) == _scan(text, known, prefilter=False), text


# ---------------------------------------------------------------- who is the source


def test_a_copy_is_credited_to_the_earliest_of_similar_sources():
    # A reprint that adds a line has lower coverage than the wire, which made it look more
    # like the source of a later trimmed reprint than the wire itself.
    early, mid, late = (dt.datetime(2024, 1, 1, h) for h in (8, 9, 10))
    docs = [article("wire", WIRE, "Wirepress", early),
            article("re1", WIRE + " Markets fell.", "Daily One", mid),
            article("re2", WIRE[:230], "Daily Two", late)]
    sources = {e.derived_id: e.source_id for e in provenance(docs) if not e.external}
    assert sources == {"re1": "wire", "re2": "wire"}


def test_a_short_reworded_passage_and_an_earlier_date_make_an_edge():
    from retold.attribution.evidence import _passage_weight

    # Geometric, rising from the shortest passage and saturating at WEIGHT_PASSAGES.
    weights = [_passage_weight(k) for k in (8, 12, 24, 50, 500)]
    assert weights == sorted(weights) and abs(weights[1] - 0.2) < 1e-9 and weights[-1] <= 0.4
    source = ("The bridge across the Vetluga river was closed after engineers found cracks in two "
              "of its supports, the city said on Monday morning.")
    derived = ("Traffic jams everywhere: the bridge across the Vetluga was shut after "
               "inspectors found cracks in its supports, and buses were rerouted.")
    docs = [article("s", source, "Wire", dt.datetime(2024, 1, 1, 7)),
            article("d", derived, "Portal", dt.datetime(2024, 1, 1, 18))]
    (edge,) = provenance(docs)
    assert (edge.source_id, edge.derived_id) == ("s", "d") and edge.confidence >= 0.3
    assert [e.kind for e in edge.evidence] == ["passages", "date"]


@pytest.mark.parametrize("text, names", [
    ("نشرت السلطات المحلية أكثر من أربعين صهريجا", []),  # "the authorities published more"
    ("ذكرت الحكومة اليوم أن المياه ستعود", []),  # "the government said today"
    ("بحسب رويترز، قالت الحكومة", ["رويترز"]),
    ("ذكرت AFP أن الحكومة", ["AFP"]),
    ("نقلا عن صحيفة الساحل، قالت", ["صحيفة الساحل"]),
])
def test_arabic_names_outside_the_set_must_look_like_outlets(text, names):
    assert [a.name for a in find_attributions(text)] == names


def test_long_texts_are_scanned_without_the_cache():
    from retold.attribution.scanning import _CACHED_TEXT_CHARS

    text = "The port stayed shut. " * (_CACHED_TEXT_CHARS // 20) + "It said so, according to Yonhap."
    assert len(text) > _CACHED_TEXT_CHARS
    assert [a.name for a in find_attributions(text)] == ["Yonhap"]
    assert [a.name for a in find_attributions(text, ["Yonhap"])] == ["Yonhap"]


# ---------------------------------------------------------------- credits across stories

def _day(d: int, h: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, d, h)


CREDIT_CORPUS = [
    Article("wire-fire", "A fire hit the Calvera port.", source="Meridian Press Agency (MPA)", date=_day(3, 6)),
    Article("wire-other", "Rates rose in Osteria.", source="Meridian Press Agency (MPA)", date=_day(3, 7)),
    Article("wire-late", "A later fire story.", source="Meridian Press Agency (MPA)", date=_day(3, 20)),
    Article("wire-old", "An old fire story.", source="Meridian Press Agency (MPA)", date=_day(1, 1) - dt.timedelta(days=9)),
    Article("rewrite", "حريق في ميناء كالفيرا، وفقا لوكالة ميريديان للأنباء (MPA).", source="Al-Sahil",
            date=_day(3, 15)),
    Article("paper", "Unrelated news, according to the Daily Bugle.", source="Sentinel", date=_day(3, 16)),
]


def _similarity_table(table: dict[tuple[str, str], float]):
    ids = [a.id for a in CREDIT_CORPUS]
    return lambda d, sources: [table.get((ids[d], ids[s]), 0.001) for s in sources]


def test_a_credit_links_articles_of_different_stories():
    from retold.attribution import credit_edges

    similarity = _similarity_table({("rewrite", "wire-fire"): 0.03, ("rewrite", "wire-other"): 0.002,
                                    ("rewrite", "wire-late"): 0.5, ("rewrite", "wire-old"): 0.5})
    edges = credit_edges(CREDIT_CORPUS, similarity, look_back_days=3)
    assert [(e.source_id, e.derived_id) for e in edges] == [("wire-fire", "rewrite")]
    edge = edges[0]
    # Later (wire-late) and out-of-window (wire-old) articles are no candidates, however similar.
    assert [x.kind for x in edge.evidence] == ["attribution", "similarity", "date"]
    assert "of 2 earlier article(s) of Meridian Press Agency (MPA)" in edge.evidence[1].detail
    assert edge.confidence == pytest.approx(1 - 0.25 * 0.75)
    assert edge.source_name == "Meridian Press Agency (MPA)" and not edge.external


def test_a_credit_needs_a_similar_article_and_no_edge_yet():
    from retold.attribution import credit_edges

    weak = _similarity_table({("rewrite", "wire-fire"): 0.005})
    assert credit_edges(CREDIT_CORPUS, weak) == []
    strong = _similarity_table({("rewrite", "wire-fire"): 0.2})
    assert credit_edges(CREDIT_CORPUS, strong, linked=[("wire-other", "rewrite")]) == []
    assert len(credit_edges(CREDIT_CORPUS, strong, linked=[("paper", "rewrite")])) == 1
    # Without sources there is nothing to credit; without dates every article is a candidate.
    assert credit_edges([Article(a.id, a.text) for a in CREDIT_CORPUS], strong) == []
    undated = [Article(a.id, a.text, source=a.source) for a in CREDIT_CORPUS]
    found = credit_edges(undated, _similarity_table({("rewrite", "wire-late"): 0.2}))
    assert [(e.source_id, e.derived_id) for e in found] == [("wire-late", "rewrite")]
    assert [x.kind for x in found[0].evidence] == ["attribution", "similarity"]
    with pytest.raises(ValueError, match="min_similarity"):
        credit_edges(CREDIT_CORPUS, strong, min_similarity=2)


def test_one_credit_gives_one_edge_and_never_both_ways(monkeypatch):
    import retold.attribution.credits as module

    corpus = [
        Article("y1", "The launch failed.", source="Yonhap", date=_day(4, 1)),
        Article("y2", "The launch failed, officials said.", source="Yonhap News Agency", date=_day(4, 2)),
        Article("a", "According to Yonhap, the launch failed.", source="AA", date=_day(4, 5)),
        # Same time, each crediting the other: only the one earlier in the input is a source.
        Article("p", "As the Q-Times reported, the port closed.", source="P-Post", date=_day(4, 6)),
        Article("q", "The port closed, the P-Post reported.", source="Q-Times", date=_day(4, 6)),
    ]
    ids = [x.id for x in corpus]
    scores = {("a", "y1"): 0.1, ("a", "y2"): 0.3, ("p", "q"): 0.5, ("q", "p"): 0.5}

    def similarity(d, sources):
        return [scores.get((ids[d], ids[s]), 0.0) for s in sources]

    edges = module.credit_edges(corpus, similarity)
    assert sorted((e.source_id, e.derived_id) for e in edges) == [("p", "q"), ("y2", "a")]
    assert "of 2 earlier article(s) of Yonhap / Yonhap News Agency" in edges[1].evidence[1].detail \
        or "of 2 earlier article(s) of Yonhap / Yonhap News Agency" in edges[0].evidence[1].detail
    # A window of any size, and only the latest CREDIT_MAX_CANDIDATES of an outlet compared.
    assert len(module.credit_edges(corpus, similarity, look_back_days=float("inf"))) == 2
    wire = [Article(f"w{k}", "Story.", source="Wirepress", date=_day(4, k)) for k in range(3)]
    paper = Article("paper", "Story, according to Wirepress.", source="Daily", date=_day(4, 9))
    older_is_closer = {"w0": 0.9, "w1": 0.5, "w2": 0.2}

    def by_wire(d, sources):
        return [older_is_closer[wire[s].id] for s in sources]

    assert module.credit_edges(wire + [paper], by_wire)[0].source_id == "w0"
    monkeypatch.setattr(module, "CREDIT_MAX_CANDIDATES", 2)
    assert module.credit_edges(wire + [paper], by_wire)[0].source_id == "w1"
    with pytest.raises(ValueError, match="look_back_days"):
        module.credit_edges(corpus, similarity, look_back_days=float("nan"))


@pytest.mark.parametrize("lang, text, score, linked", [
    ("en", "The port is closed, according to Wirepress.", 0.05, False),  # same language: another story
    ("en", "The port is closed, according to Wirepress.", 0.20, True),
    ("ar", "أغلق الميناء وفقا لوكالة Wirepress.", 0.05, True),           # a rewrite in another language
    (None, "أغلق الميناء وفقا لوكالة Wirepress.", 0.05, True),           # told by the script
    (None, "The port is closed, according to Wirepress.", 0.05, False),
])
def test_the_similarity_a_credit_needs_depends_on_the_language(lang, text, score, linked):
    from retold.attribution import credit_edges

    wire = Article("w", "Ships wait outside the port after the fire.", source="Wirepress", date=_day(7, 1),
                   lang="en" if lang else None)
    paper = Article("p", text, source="Daily", date=_day(7, 5), lang=lang)
    edges = credit_edges([wire, paper], lambda d, sources: [score for _ in sources])
    assert bool(edges) == linked


def test_credits_use_the_one_language_rule_of_retold_language():
    # "en-US" and "en" are one language (primary subtags, as retold.language.same_language
    # says): a low similarity is another story, not a translation, whatever the regional tag.
    from retold.attribution import credit_edges

    wire = Article("w", "Ships wait outside the port after the fire.", source="Wirepress", date=_day(7, 1),
                   lang="en-US")
    paper = Article("p", "The port is closed, according to Wirepress.", source="Daily", date=_day(7, 5), lang="EN")
    assert credit_edges([wire, paper], lambda d, sources: [0.05 for _ in sources]) == []


def test_credits_in_scripts_without_spaces_are_found():
    from retold.attribution import credit_edges

    corpus = [
        Article("xinhua", "青云汽车宣布召回S7电动车。", source="新华社", date=_day(5, 2)),
        Article("other", "The recall was announced.", source="Nordwire", date=_day(5, 3)),
        Article("paper", "据新华社报道，青云汽车今天宣布召回。", source="海岚日报", date=_day(5, 9)),
    ]
    ids = [a.id for a in corpus]

    def similarity(d, sources):
        return [0.2 if (ids[d], ids[s]) == ("paper", "xinhua") else 0.0 for s in sources]

    edges = credit_edges(corpus, similarity)
    assert [(e.source_id, e.derived_id) for e in edges] == [("xinhua", "paper")]
    assert edges[0].evidence[0].detail.startswith("据新华社")


def test_analyze_links_rewrites_the_stories_kept_apart():
    # The demo's Arabic rewrite of an MPA wire and MPA's English rewrite of an Al-Ufuq story
    # may form stories of their own (other language, little shared vocabulary) but credit
    # their source: the edge is found either way.
    from retold.data import load_demo

    result = retold.analyze(load_demo())
    edges = {(e.source_id, e.derived_id): e for e in result.provenance}
    labels = dict(zip(result.stories.ids, result.stories.labels.tolist()))
    for source, derived in (("d20", "d24"), ("d44", "d46")):
        across = any(x.kind == "similarity" for x in edges[source, derived].evidence)
        assert across == (labels[source] != labels[derived])
    assert not [e for e in result.provenance if e.external and e.derived_id == "d46"]


def test_judging_scanned_articles_equals_provenance():
    # The monitor scans each article once and judges it in many sets (judge); the edges must
    # be provenance's, with passages given or aligned here, lengths and prepared texts given.
    from retold.attribution.within_story import credited_names, judge, known_aliases
    from retold.passages import align as real_align, prepare

    docs = _three()
    known = known_aliases(docs)
    scans = [credited_names(a, known) for a in docs]
    assert any(scans)  # "According to Wirepress"
    given = {("w", "r"): real_align(WIRE, docs[2].text)}
    extra = {"lengths": [len(retold.tokenize(a.text)) for a in docs],
             "texts": [prepare(a.text) for a in docs]}
    for kwargs in ({}, {"passages": given}, {"pairs": []}, {"passages": given, "pairs": []},
                   {"pairs": [("r", "w")]}):
        expected = provenance(docs, min_confidence=0.3, min_tokens=8, **kwargs)
        assert judge(docs, scans, min_confidence=0.3, min_tokens=8, **kwargs) == expected
        assert judge(docs, scans, min_confidence=0.3, min_tokens=8, **kwargs, **extra) == expected
    with pytest.raises(ValueError, match="attributions"):
        judge(docs, scans[:2], min_confidence=0.3, min_tokens=8)
