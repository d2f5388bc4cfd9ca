"""Language identification (the lang extra) and the one same-language rule."""
from __future__ import annotations

import json
import sys

import pytest

import retold.language as language
from retold import read_articles
from retold.article import Article
from retold.cli import build_parser
from retold.cli._common import open_articles
from retold.language import detect_language, same_language, script_of

SENTENCES = {
    "en": "The city council approved the new budget on Tuesday after a long debate about schools.",
    "de": "Der Stadtrat hat am Dienstag nach einer langen Debatte über die Schulen den Haushalt beschlossen.",
    "fr": "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur les écoles.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto tras un largo debate sobre las escuelas.",
    "pl": "Rada miasta przyjęła we wtorek nowy budżet po długiej debacie na temat szkół.",
    "ru": "Городской совет во вторник утвердил новый бюджет после долгих споров о школах.",
    "el": "Το δημοτικό συμβούλιο ενέκρινε την Τρίτη τον νέο προϋπολογισμό μετά από μακρά συζήτηση.",
    "ar": "وافق مجلس المدينة يوم الثلاثاء على الميزانية الجديدة بعد نقاش طويل حول المدارس.",
    "zh": "市议会周二在就学校问题进行长时间辩论后批准了新的预算。",
    "ja": "市議会は火曜日、学校をめぐる長い議論の末に新しい予算を承認した。",
    "tr": "Belediye meclisi salı günü okullar hakkındaki uzun bir tartışmanın ardından yeni bütçeyi onayladı.",
}


@pytest.fixture
def langid():
    pytest.importorskip("py3langid")


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_detects_the_language_of_a_sentence(langid, lang):
    assert detect_language(SENTENCES[lang]) == lang


def test_no_letters_no_language(langid):
    assert detect_language("") is None
    assert detect_language("2024-05-01 12:00 +++ 42") is None
    with pytest.raises(TypeError, match="text must be a str"):
        detect_language(b"bytes")  # type: ignore[arg-type]


def _corpus(tmp_path):
    path = tmp_path / "news.jsonl"
    records = [
        {"id": "de", "text": SENTENCES["de"]},
        {"id": "kept", "text": SENTENCES["de"], "lang": "en-GB"},  # the user's label wins, even if wrong
        {"id": "zh", "text": SENTENCES["zh"], "title": "预算"},
        {"id": "none", "text": "12345"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_read_articles_fills_in_missing_languages_only(langid, tmp_path):
    path = _corpus(tmp_path)
    assert [a.lang for a in read_articles(path)] == [None, "en-GB", None, None]
    found = list(read_articles(path, detect_language=True))
    assert [a.lang for a in found] == ["de", "en-GB", "zh", None]
    plain = list(read_articles(path))
    assert [(a.id, a.text, a.title, a.extra) for a in found] == [(a.id, a.text, a.title, a.extra) for a in plain]


def test_the_command_line_flag_reaches_the_reader(langid, tmp_path):
    path = _corpus(tmp_path)
    for command in ("dedup", "stories", "analyze", "provenance", "passages"):
        args = build_parser().parse_args([command, str(path), "--detect-language"])
        assert [a.lang for a in open_articles(args, str(path), [])] == ["de", "en-GB", "zh", None]


def test_missing_extra_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "py3langid", None)
    monkeypatch.setattr(language, "_classify", None)
    with pytest.raises(ImportError, match=r'pip install "retold\[lang\]"'):
        detect_language("some text")
    with pytest.raises(ImportError, match=r"retold\[lang\]"):
        read_articles(_corpus(tmp_path), detect_language=True)  # at the call, not mid-stream


def test_same_language_compares_labels_then_scripts():
    en, de, zh = (Article(id=k, text=SENTENCES[k]) for k in ("en", "de", "zh"))
    label = lambda a, lang: Article(id=a.id, text=a.text, lang=lang)  # noqa: E731
    assert same_language(label(en, "en-US"), label(de, "EN"))  # labels decide when both have one
    assert not same_language(label(en, "en"), label(de, "de"))
    assert not same_language(en, zh) and not same_language(label(en, "en"), zh)
    assert same_language(en, de)  # unlabelled Latin-script texts: the script cannot tell them apart
    assert script_of(SENTENCES["ru"]) == "CYRILLIC" and script_of("123") == ""
