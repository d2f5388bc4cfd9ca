"""A shared passage and how it is built from an alignment's edit script.

:class:`Passage` is what :func:`retold.align` returns; :func:`make_passage` turns the token
span and edit script a kernel gives into one, with the two texts rendered textreuse style (by
the kernel ``aligned_strings`` of ``ext/render.pyx``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from retold._backend import kernels
from retold.hashing import Tokens

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import render as _render
else:
    _render = kernels("render")

__all__ = ["OP_MATCH", "OP_MISMATCH", "OP_A", "OP_B", "Passage", "AlignedText", "make_passage",
           "token_ids"]

OP_MATCH, OP_MISMATCH, OP_A, OP_B = 0, 1, 2, 3
"""The edit script's operations, as the align kernels write them."""


@dataclass(frozen=True)
class Passage:
    """A passage two texts share.

    Attributes
    ----------
    a_start, a_end, b_start, b_end : int
        Character offsets of the passage in each original text (``a[a_start:a_end]``), as
        given: a text not in NFC is indexed as it is, not in its composed form (bytes: the
        decoded str).
    score : int
        Alignment score (match/mismatch/gap sums).
    a_text, b_text : str
        The aligned word sequences, original spelling, one column per word, with a word facing
        a gap or a substitution shown as ``#`` marks of the other word's length (as R textreuse
        prints them): ``"this is a #### match"`` against ``"this is a good match"``.
    tokens : int
        Words equal in both (the evidence of reuse).
    quoted : bool
        The passage lies within quotation marks in both texts: a shared quote.
    a_tokens, b_tokens : int
        Number of tokens the passage spans in each text.
    """

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    score: int
    a_text: str
    b_text: str
    tokens: int
    quoted: bool = False
    a_tokens: int = 0
    b_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def token_ids(tokens: Tokens) -> np.ndarray:
    """Per token: its int64 id for the kernels, the token hash halved.

    The kernels only compare ids for equality and take a negative id as matching nothing, so
    the halved hash (never negative) serves, as in :mod:`retold.reuse_index`: one shift per
    text instead of sorting the pair's hashes together for dense ids.  Two tokens whose hashes
    differ in the last bit only would share an id, as likely as the 64-bit hashes colliding.
    """
    return np.ascontiguousarray((tokens.hashes >> np.uint64(1)).astype(np.int64))


@dataclass
class AlignedText:
    """One side of an alignment: the text, its tokens and their ids shared with the other side."""

    text: str
    tokens: Tokens
    ids: np.ndarray


def make_passage(a: AlignedText, b: AlignedText, a0: int, a1: int, b0: int, b1: int, score: int,
                  matches: int, ops: np.ndarray, mark: str, quoted: bool) -> Passage:
    a_text, b_text = _render.aligned_strings(
        a.text, a.tokens.starts[a0:a1], a.tokens.ends[a0:a1],
        b.text, b.tokens.starts[b0:b1], b.tokens.ends[b0:b1], ops, mark)
    return Passage(
        a_start=int(a.tokens.starts[a0]),
        a_end=int(a.tokens.ends[a1 - 1]),
        b_start=int(b.tokens.starts[b0]),
        b_end=int(b.tokens.ends[b1 - 1]),
        score=int(score),
        a_text=a_text,
        b_text=b_text,
        tokens=int(matches),
        quoted=quoted,
        a_tokens=a1 - a0,
        b_tokens=b1 - b0,
    )
