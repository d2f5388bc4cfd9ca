"""One table of scripts written without spaces, read by the tokeniser and by provenance."""
from __future__ import annotations

import importlib

import pytest

import retold
from retold.scripts import NO_SPACE_RANGES, is_no_space, no_space_run_pattern

provenance_module = importlib.import_module("retold.attribution.credits")

# One character from each range, the ones provenance's own regex once lacked included.
SAMPLES = [chr(lo + (hi - lo) // 2) for lo, hi in NO_SPACE_RANGES]


def test_tokeniser_and_provenance_read_the_same_table():
    run = no_space_run_pattern(1)
    for cp in list(range(0x0E00, 0x3FFFF, 7)) + [lo for lo, _ in NO_SPACE_RANGES] + [hi for _, hi in NO_SPACE_RANGES]:
        ch = chr(cp)
        assert bool(run.fullmatch(ch)) == is_no_space(cp)
        assert bool(provenance_module._NO_SPACE_RUN.fullmatch(ch * 2)) == is_no_space(cp)
    # The tokeniser makes every letter of those scripts a token of its own.
    for ch in SAMPLES:
        if ch.isalpha():
            assert len(retold.tokenize(ch * 3)) == 3, hex(ord(ch))


@pytest.mark.parametrize("name", ["ཀཁགང", "\U00020000\U00020001", "ｱｲｳｴ"])
def test_outlet_names_found_in_scripts_once_missing(name):
    # Tibetan, CJK extension B and halfwidth kana outlet names inside a longer run.
    words = provenance_module._OutletWords([name, "Yonhap"])
    assert words.named_in("ཨ" + name + "ཨ" if name[0] == "ཀ" else "前" + name + "後") == {name}
