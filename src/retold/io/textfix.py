"""Repair of mojibake: UTF-8 text that was once decoded as Latin-1 or cp1252 ("Ã©" for "é").

ftfy does the work; it is an optional extra (``retold[fix]``), imported only when asked for.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

INSTALL_HINT = 'pip install "retold[fix]"'


@lru_cache(maxsize=1)
def _encoding_only_config() -> Any:
    """An ftfy configuration that undoes wrong decodings and changes nothing else.

    Every other fixer (curly quotes, character widths, ligatures, line breaks, HTML entities,
    control characters, Unicode normalisation) is off: each would move character offsets
    in text that was never broken, and passage offsets are reported in the text as read.
    """
    ftfy = require_ftfy()
    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,  # "Ã " is "à" whose non-breaking byte became a space
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,  # UTF-16 surrogate pairs left by UCS-2 decoding: also a decoding error
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def require_ftfy() -> Any:
    """Import ftfy, or raise an ``ImportError`` that says how to install it."""
    try:
        import ftfy
    except ImportError as exc:
        raise ImportError(
            f"repairing mojibake (fix_text=True) needs ftfy, which is not installed: {INSTALL_HINT}"
        ) from exc
    return ftfy


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as Latin-1 or cp1252, leaving correct text unchanged.

    Parameters
    ----------
    text : str
        Text that may contain mojibake such as ``"Ã©tÃ©"``.

    Returns
    -------
    str
        The repaired text (``"été"``); text with no mojibake comes back as it was.

    Raises
    ------
    ImportError
        When ftfy (the ``retold[fix]`` extra) is not installed.
    """
    if text.isascii():  # nothing to repair, and by far the common case
        return text
    fixed: str = require_ftfy().fix_text(text, _encoding_only_config())
    return fixed
