"""The phrases that credit a source, per language, and the regular expressions made of them.

:data:`ATTRIBUTION_PATTERNS` are templates in which ``{N}`` stands for the name: "according to
{N}", "{N} reported", "(Yonhap)", and their equivalents in German, Spanish, French, Russian,
Arabic, Chinese, Turkish and Urdu.  A template becomes two regular expressions: one whose name
is one of a set of known outlets (:func:`known_pattern`, compiled on first use), and one whose
name is any capitalised phrase (:data:`GENERIC_PATTERNS`, for outlets outside the set).
:mod:`retold.attribution.scanning` runs them over a text.
"""
from __future__ import annotations

import re
from functools import lru_cache

# {N} is where the name stands.  Patterns are matched case-insensitively; the generic name
# (for sources outside the set) must be capitalised where the script has case.
ATTRIBUTION_PATTERNS: dict[str, list[str]] = {
    "en": [
        r"\baccording to {N}",
        r"\b{N}\s+(?:news agency\s+|agency\s+|newspaper\s+|television\s+|TV\s+)?"
        r"(?:reported|reports|has reported|wrote|quoted|cited|said in a report|first reported)",
        r"\b(?:told|telling|said to|speaking to|in an interview with)\s+{N}",
        r"\b{N}\s+(?:news agency|agency|newspaper|broadcaster|daily)\s+(?:said|says|reported)",
        r"\b(?:citing|cited by|quoted by|reported by|as reported by|via|courtesy of)\s+{N}",
        r"\b(?:source|sources|credit):\s*{N}",
    ],
    "de": [
        r"\b(?:laut|zufolge|gemäß)\s+{N}",
        r"\bwie\s+{N}\s+(?:berichtet|berichtete|meldet|meldete|schreibt|schrieb)",
        r"\b(?:berichtet|berichtete|meldet|meldete|schreibt|schrieb)\s+{N}",
        r"\bnach\s+(?:Angaben|Informationen|Berichten)\s+(?:von|des|der)\s+{N}",
        # "sagte dem Spiegel" is "told Der Spiegel"; "sagte der Sprecher" only "said the spokesman".
        r"\b(?:unter Berufung auf|zitiert von|sagte dem|sagte gegenüber|sagte gegenüber der)\s+{N}",
    ],
    "es": [
        r"\b(?:según|de acuerdo con|de acuerdo a|citado por|citando a|citando|informó|"
        r"publicó|reportó|dijo a|declaró a)\s+{N}",
        r"\b{N}\s+(?:informó|informa|reportó|publicó|señaló)",
    ],
    "fr": [
        r"(?:\bselon|\bd'après|\bd’après|\bcité par|\bcitant|\brapporte|\ba rapporté|"
        r"\ba indiqué à|\ba déclaré à|\ba confié à)\s+{N}",
        r"\b{N}\s+(?:rapporte|a rapporté|indique|a indiqué)",
    ],
    "ru": [
        r"(?:по данным|по информации|по сообщению|как сообщает|как сообщил|как сообщила|"
        r"сообщает|сообщил|сообщила|сообщили|пишет|передает|передаёт|со ссылкой на|"
        r"ссылаясь на|цитирует|заявил|заявила|рассказал|рассказала)\s+{N}",
        r"{N}\s+(?:сообщает|сообщил|сообщила|сообщило|пишет|передает|передаёт)",
        # The Russian wire credit between slashes, then a stop: "МОСКВА, 10 марта. /ТАСС/."
        r"(?<![\w/])/[ \t]*{N}[ \t]*/(?=[ \t]*(?:[.,:–—-]|$))",
    ],
    "ar": [
        r"(?:وفقا ل|وفقاً ل|وفقا لـ|وفقاً لـ|بحسب|حسب|نقلا عن|نقلاً عن|ذكرت|أفادت|أوردت|نشرت)"
        r"\s*{N}",
    ],
    "zh": [
        r"据{N}(?:报道|消息|称|援引|报导|透露)",
        r"(?:援引|引述|根据){N}",
        r"{N}(?:报道|报导|援引|消息称)",
        # An agency's dateline: "新华社北京3月5日电" (the name ends in 社, agency).
        r"{N}(?<=社)[\u4e00-\u9fff]{0,8}?\d{1,2}月\d{1,2}日电",
    ],
    "tr": [
        r"{N}['’]?(?:n?[ıiuü]n)?(?:\s+ajansının|\s+ajansı)?\s+"
        r"(?:haberine|haberlerine|bildirdiğine|aktardığına)\s+göre",
        r"{N}['’]?(?:y?[ae])\s+(?:göre|konuşan|açıklama yapan)",
        r"{N}\s+(?:bildirdi|aktardı|duyurdu)",
    ],
    "ur": [
        r"{N}\s+(?:کے مطابق|کی رپورٹ کے مطابق|نے بتایا|نے رپورٹ کیا)",
    ],
    "any": [
        r"\(\s*{N}\s*\)",
    ],
}

# For each template above, words (lower case) one of which every match contains: a text
# holding none of them cannot match the template, so its regex is not run.  Most articles
# contain the triggers of a few templates only, and the generic name patterns that start at
# every capitalised word are the costly ones.  (Checked against the unfiltered scan in
# tests/test_provenance.py.)  Letters whose case folding is irregular (Turkish ı) are left
# out of the words.
ATTRIBUTION_TRIGGERS: dict[str, list[tuple[str, ...]]] = {
    "en": [
        ("according to",),
        ("report", "wrote", "quoted", "cited", "said in a report"),
        ("told", "telling", "said to", "speaking to", "interview with"),
        ("said", "says", "reported"),
        ("citing", "cited by", "quoted by", "reported by", "via", "courtesy of"),
        ("source:", "sources:", "credit:"),
    ],
    "de": [
        ("laut", "zufolge", "gemäß"),
        ("berichtet", "meldet", "schreibt", "schrieb"),
        ("berichtet", "meldet", "schreibt", "schrieb"),
        ("angaben", "informationen", "berichten"),
        ("unter berufung auf", "zitiert von", "sagte dem", "sagte gegenüber"),
    ],
    "es": [
        ("según", "de acuerdo", "citado por", "citando", "informó", "publicó", "reportó",
         "dijo a", "declaró a"),
        ("inform", "reportó", "publicó", "señaló"),
    ],
    "fr": [
        ("selon", "d'après", "d’après", "cité par", "citant", "rapporte", "rapporté",
         "indiqué à", "déclaré à", "confié à"),
        ("rapporte", "rapporté", "indique", "indiqué"),
    ],
    "ru": [
        ("по данным", "по информации", "по сообщению", "сообща", "сообщил", "пишет", "переда",
         "со ссылкой на", "ссылаясь на", "цитирует", "заявил", "рассказал"),
        ("сообща", "сообщил", "пишет", "переда"),
        ("/",),
    ],
    "ar": [
        ("وفقا ل", "وفقاً ل", "حسب", "نقلا عن", "نقلاً عن", "ذكرت", "أفادت", "أوردت", "نشرت"),
    ],
    "zh": [
        ("据",),
        ("援引", "引述", "根据"),
        ("报道", "报导", "援引", "消息称"),
        ("日电",),
    ],
    "tr": [
        ("göre",),
        ("göre", "konuşan", "klama yapan"),
        ("bildird", "aktard", "duyurd"),
    ],
    "ur": [
        ("مطابق", "نے بتایا", "نے رپورٹ"),
    ],
    "any": [
        ("(",),
    ],
}

_CASED = "A-Z\u00c0-\u00de\u0400-\u042f"
_WORD = r"[\w&.'’\-]*\w"
# A capitalised name of up to five words ("Yonhap", "The New York Times", "РИА Новости");
# "of", "de", "der" and the like may join its words.
_GENERIC_NAME = (
    rf"(?-i:(?:the\s+|The\s+|[lL]['’]\s*)?(?P<name>[{_CASED}]{_WORD}?"
    rf"(?:[ \t]+(?:(?:of|de|del|der|des|du|la|le|al)[ \t]+)?[{_CASED}]{_WORD}?){{0,4}}))"
)
# Chinese characters, or one to three words of Arabic-script letters (no punctuation).
_GENERIC_NAME_UNCASED = (
    r"(?P<name>[\u4e00-\u9fff\u0621-\u064a\u0671-\u06d3\u06d5]{2,10}"
    r"(?:[ \t][\u0621-\u064a\u0671-\u06d3\u06d5]{1,12}){0,2})"
)
# Arabic has no capitals to tell a name from any following words ("نشرت السلطات المحلية أكثر",
# "the local authorities published more", is no credit): a name outside the set must look
# like an outlet: an outlet word and one or two words after it ("وكالة الأفق للأنباء"), a
# well-known agency, or a name in Latin capitals ("بحسب AFP").
_AR_LETTER = r"[\u0621-\u064a\u0671-\u06d3\u06d5]"
_AR_OUTLET_WORDS = ("وكالة", "وكالات", "صحيفة", "جريدة", "مجلة", "قناة", "موقع", "تلفزيون",
                    "التلفزيون", "إذاعة", "راديو", "شبكة", "بوابة", "هيئة الإذاعة")
_AR_AGENCIES = ("رويترز", "فرانس برس", "أسوشيتد برس", "الأناضول", "شينخوا", "إنترفاكس",
                "يونهاب", "كيودو", "سانا", "واس", "وام", "بترا", "قنا", "كونا", "الجزيرة",
                "العربية", "بي بي سي", "سي إن إن")
_GENERIC_NAME_ARABIC = (
    rf"(?P<name>(?:{'|'.join(_AR_OUTLET_WORDS)})(?:[ \t]{_AR_LETTER}+){{1,2}}"
    rf"|(?:{'|'.join(sorted(_AR_AGENCIES, key=lambda a: (-len(a), a)))})(?!{_AR_LETTER})"
    r"|(?-i:[A-Z][A-Za-z&.\-]*[A-Za-z](?:[ \t]+[A-Z][A-Za-z&.\-]*[A-Za-z]){0,3}))"
)
_FILLER = r"(?:[\w'’.-]+\s+){0,3}?"


# Parentheses hold many things besides credits: "(Russia)", "(L)", "(END)".  A name outside
# the set counts only in a credit's place: a dateline "SEOUL, Sept. 14 (Yonhap) --" or the end
# of a paragraph, and not one of the wire's markers.
_CREDIT_PLACE = r"(?=[ \t]*(?:--|—|–|-[ \t]|:|$))"

CompiledTemplate = tuple[re.Pattern[str], tuple[str, ...]]
"""A compiled template and its trigger words (:data:`ATTRIBUTION_TRIGGERS`)."""


def _templates() -> list[tuple[str, str, tuple[str, ...]]]:
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for lang, templates in ATTRIBUTION_PATTERNS.items():
        triggers = ATTRIBUTION_TRIGGERS[lang]
        if len(triggers) != len(templates):  # pragma: no cover - a table edited by half
            raise AssertionError(f"ATTRIBUTION_TRIGGERS[{lang!r}] must have one entry per pattern")
        out.extend((lang, t, w) for t, w in zip(templates, triggers))
    return out


TEMPLATES: list[tuple[str, str, tuple[str, ...]]] = _templates()
"""Every template as (language, template, trigger words), in table order."""


def _compile_generic() -> list[CompiledTemplate]:
    out: list[CompiledTemplate] = []
    for lang, template, triggers in TEMPLATES:
        name = (_GENERIC_NAME_ARABIC if lang == "ar"
                else _GENERIC_NAME_UNCASED if lang in ("zh", "ur") else _GENERIC_NAME)
        if lang == "any":
            template = template + _CREDIT_PLACE
        out.append((re.compile(template.replace("{N}", name), re.IGNORECASE | re.MULTILINE),
                    triggers))
    return out


GENERIC_PATTERNS: list[CompiledTemplate] = _compile_generic()
"""Each template with a capitalised name (any outlet), in the order of :data:`TEMPLATES`."""


@lru_cache(maxsize=1024)
def known_pattern(names: tuple[str, ...], k: int) -> re.Pattern[str]:
    """Template ``k`` naming one of ``names`` (case-insensitive, a few filler words allowed).

    Compiled on first use: a text that holds none of a template's triggers never needs it.
    """
    alternation = "|".join(re.escape(n) for n in sorted(set(names), key=lambda s: (-len(s), s)))
    name = rf"(?P<name>{alternation})(?!\w)"
    template = TEMPLATES[k][1]
    # Only a trigger before the name may be followed by filler ("according to South
    # Korea's Yonhap news agency").
    if template.startswith(("{N}", r"\b{N}", r"\(", r"(?<![\w/])/")):
        pattern = template.replace("{N}", name)
    else:
        pattern = template.replace("{N}", _FILLER + name)
    return re.compile(pattern, re.IGNORECASE)
