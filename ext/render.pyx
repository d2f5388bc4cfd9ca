"""The two aligned strings of an alignment's edit script, as R textreuse prints them.

Each op of the script (``OP_MATCH``, ``OP_MISMATCH``, ``OP_A``, ``OP_B``, the codes
``ext/align.pyx`` writes) shows its words, one column each, joined by single spaces: a word
facing a gap is shown against ``mark`` repeated to its length, and a substitution as a
deletion then an insertion (a's word against marks, then marks against b's word).  Words are
``text[starts[k]:ends[k]]`` of the tokens the script walks, first op at token 0 of each.

Building the strings character by character here spares the Python layer a substring per
word and a list per passage (the cost of a reprint's passages was mostly that).
"""
from cpython.unicode cimport PyUnicode_4BYTE_KIND, PyUnicode_DATA, PyUnicode_FromKindAndData, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport int8_t, int64_t
from retold._ext._buffer cimport Pool

from retold import _kernel_args as checks

OP_MATCH = 0
OP_MISMATCH = 1
OP_A = 2
OP_B = 3

cdef enum:
    C_MATCH = 0
    C_MISMATCH = 1
    C_A = 2
    C_B = 3


def aligned_strings(text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops, mark):
    """``(a_text, b_text)`` of the edit script ``ops`` over the tokens (``starts``, ``ends``)
    of ``text_a`` and ``text_b``; see the module docstring."""
    (text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops,
     mark) = checks.aligned_strings_args(text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops, mark)
    return _aligned_strings(text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops, ord(mark))


cdef inline Py_ssize_t _word(Py_UCS4* out, Py_ssize_t k, int kind, const void* data,
                             int64_t start, int64_t end) noexcept:
    cdef int64_t p
    for p in range(start, end):
        out[k] = PyUnicode_READ(kind, data, p)
        k += 1
    return k


cdef inline Py_ssize_t _marks(Py_UCS4* out, Py_ssize_t k, Py_UCS4 mark, int64_t count) noexcept:
    cdef int64_t p
    for p in range(count):
        out[k] = mark
        k += 1
    return k


cdef tuple _aligned_strings(str text_a, const int64_t[::1] sa, const int64_t[::1] ea, str text_b,
                            const int64_t[::1] sb, const int64_t[::1] eb, const int8_t[::1] ops,
                            Py_UCS4 mark):
    # aligned_strings_args: 0 <= start <= end <= len(text), ops in 0..3, and the script walks
    # exactly the tokens given (so i and j stay in range).
    cdef Py_ssize_t n_ops = ops.shape[0], t, i = 0, j = 0, ka = 0, kb = 0
    cdef Py_ssize_t size_a = 0, size_b = 0
    cdef int64_t la, lb
    cdef int8_t op
    cdef int kind_a = PyUnicode_KIND(text_a), kind_b = PyUnicode_KIND(text_b)
    cdef const void* data_a = PyUnicode_DATA(text_a)
    cdef const void* data_b = PyUnicode_DATA(text_b)
    cdef Py_UCS4* out_a
    cdef Py_UCS4* out_b
    if n_ops == 0:
        return "", ""
    # The strings' lengths differ only where matched words are spelled at different lengths
    # (equal folded forms: "Straße" and "STRASSE"); every other word faces marks of its length.
    for t in range(n_ops):
        op = ops[t]
        if op == C_MATCH:
            size_a += ea[i] - sa[i] + 1
            size_b += eb[j] - sb[j] + 1
            i += 1
            j += 1
        elif op == C_MISMATCH:
            la = ea[i] - sa[i] + eb[j] - sb[j] + 2
            size_a += la
            size_b += la
            i += 1
            j += 1
        elif op == C_A:
            size_a += ea[i] - sa[i] + 1
            size_b += ea[i] - sa[i] + 1
            i += 1
        else:
            size_a += eb[j] - sb[j] + 1
            size_b += eb[j] - sb[j] + 1
            j += 1
    size_a -= 1  # a space between columns, none after the last
    size_b -= 1
    cdef Pool mem = Pool()
    out_a = <Py_UCS4*> mem.scratch(size_a + size_b + 1, sizeof(Py_UCS4))
    out_b = out_a + size_a
    i = j = 0
    for t in range(n_ops):
        if t:
            out_a[ka] = u' '
            out_b[kb] = u' '
            ka += 1
            kb += 1
        op = ops[t]
        if op == C_MATCH:
            ka = _word(out_a, ka, kind_a, data_a, sa[i], ea[i])
            kb = _word(out_b, kb, kind_b, data_b, sb[j], eb[j])
            i += 1
            j += 1
        elif op == C_MISMATCH:
            la = ea[i] - sa[i]
            lb = eb[j] - sb[j]
            ka = _word(out_a, ka, kind_a, data_a, sa[i], ea[i])
            kb = _marks(out_b, kb, mark, la)
            out_a[ka] = u' '
            out_b[kb] = u' '
            ka = _marks(out_a, ka + 1, mark, lb)
            kb = _word(out_b, kb + 1, kind_b, data_b, sb[j], eb[j])
            i += 1
            j += 1
        elif op == C_A:
            ka = _word(out_a, ka, kind_a, data_a, sa[i], ea[i])
            kb = _marks(out_b, kb, mark, ea[i] - sa[i])
            i += 1
        else:
            ka = _marks(out_a, ka, mark, eb[j] - sb[j])
            kb = _word(out_b, kb, kind_b, data_b, sb[j], eb[j])
            j += 1
    return (PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out_a, size_a),
            PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out_b, size_b))
