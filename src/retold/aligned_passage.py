"""A shared passage and how it is built from an alignment's edit script.

:class:`Passage` is what :func:`retold.align` returns; :func:`make_passage` turns the token
span and edit script a kernel gives into one, with the two texts rendered textreuse style.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from retold.hashing import Tokens

__all__ = ["OP_MATCH", "OP_MISMATCH", "OP_A", "OP_B", "Passage", "AlignedText", "make_passage",
           "render_edit_script", "token_ids"]

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


def token_ids(ta: Tokens, tb: Tokens) -> tuple[np.ndarray, np.ndarray]:
    """Dense int64 ids shared by both token sequences (equal hash, equal id)."""
    both = np.concatenate([ta.hashes, tb.hashes])
    if both.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    _, inverse = np.unique(both, return_inverse=True)
    inverse = inverse.astype(np.int64).ravel()
    return np.ascontiguousarray(inverse[: len(ta)]), np.ascontiguousarray(inverse[len(ta):])


def render_edit_script(ops: np.ndarray, a_words: list[str], b_words: list[str], mark: str) -> tuple[str, str]:
    """The two aligned strings of an edit script, textreuse style."""
    a_out: list[str] = []
    b_out: list[str] = []
    i = j = 0
    # A reprint's script is long runs of matches: a run is copied as one slice.
    cuts = (np.flatnonzero(ops[1:] != ops[:-1]) + 1).tolist()
    starts = [0] + cuts
    for op, lo, hi in zip(ops[starts].tolist() if len(ops) else [], starts, cuts + [len(ops)]):
        run = hi - lo
        if op == OP_MATCH:
            a_out.extend(a_words[i:i + run])
            b_out.extend(b_words[j:j + run])
            i += run
            j += run
            continue
        for _ in range(run):
            if op == OP_MISMATCH:
                # A substitution is shown as a deletion and an insertion, as textreuse does.
                a_out.append(a_words[i])
                b_out.append(mark * len(a_words[i]))
                a_out.append(mark * len(b_words[j]))
                b_out.append(b_words[j])
                i += 1
                j += 1
            elif op == OP_A:
                a_out.append(a_words[i])
                b_out.append(mark * len(a_words[i]))
                i += 1
            else:
                a_out.append(mark * len(b_words[j]))
                b_out.append(b_words[j])
                j += 1
    return " ".join(a_out), " ".join(b_out)


@dataclass
class AlignedText:
    """One side of an alignment: the text, its tokens and their ids shared with the other side."""

    text: str
    tokens: Tokens
    ids: np.ndarray

    def words(self, lo: int, hi: int) -> list[str]:
        """Tokens ``lo:hi`` as substrings of the text (only a passage's words are ever needed)."""
        text = self.text
        return [text[s:e] for s, e in zip(self.tokens.starts[lo:hi].tolist(),
                                          self.tokens.ends[lo:hi].tolist())]


def make_passage(a: AlignedText, b: AlignedText, a0: int, a1: int, b0: int, b1: int, score: int,
                  matches: int, ops: np.ndarray, mark: str, quoted: bool) -> Passage:
    a_text, b_text = render_edit_script(ops, a.words(a0, a1), b.words(b0, b1), mark)
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
