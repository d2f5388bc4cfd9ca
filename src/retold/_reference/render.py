"""Pure-Python twin of ``ext/render.pyx``: the aligned strings of an edit script.

See the compiled module's docstring for the rule; this file is its plainest statement.
"""
from __future__ import annotations

from typing import Any

from retold import _kernel_args as checks

OP_MATCH = 0
OP_MISMATCH = 1
OP_A = 2
OP_B = 3


def aligned_strings(text_a: Any, starts_a: Any, ends_a: Any, text_b: Any, starts_b: Any,
                    ends_b: Any, ops: Any, mark: Any) -> tuple[str, str]:
    (text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops,
     mark) = checks.aligned_strings_args(text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops, mark)
    a_words = [text_a[s:e] for s, e in zip(starts_a.tolist(), ends_a.tolist())]
    b_words = [text_b[s:e] for s, e in zip(starts_b.tolist(), ends_b.tolist())]
    a_out: list[str] = []
    b_out: list[str] = []

    def a_only(word: str) -> None:  # a's word against marks
        a_out.append(word)
        b_out.append(mark * len(word))

    def b_only(word: str) -> None:  # marks against b's word
        a_out.append(mark * len(word))
        b_out.append(word)

    i = j = 0
    for op in ops.tolist():
        if op == OP_MATCH:
            a_out.append(a_words[i])
            b_out.append(b_words[j])
            i += 1
            j += 1
        elif op == OP_MISMATCH:
            # A substitution is shown as a deletion and an insertion, as textreuse does.
            a_only(a_words[i])
            b_only(b_words[j])
            i += 1
            j += 1
        elif op == OP_A:
            a_only(a_words[i])
            i += 1
        else:
            b_only(b_words[j])
            j += 1
    return " ".join(a_out), " ".join(b_out)
