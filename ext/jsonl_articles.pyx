"""JSON Lines straight to Articles: the loop of the read stage's fast path.

The wrapper, :func:`retold.io.jsonl_articles.jsonl_articles`, says which lines take it; the
twin is ``retold._reference.jsonl_articles``.  Two things make this loop worth compiling:

- the per-line work between orjson and the Article (type tests, dict lookups, the id check)
  was as long as orjson itself in Python;
- each Article it builds holds only strings, numbers, None and a datetime (the loop sends
  any record with a nested value to the general path), so it cannot be part of a reference
  cycle, and it is untracked from the cyclic garbage collector, as CPython itself untracks a
  tuple or dict of such values.  A corpus of a million Articles held in memory was otherwise
  scanned by every full collection: about a sixth of the time of reading it.  (A cycle made
  later through ``article.extra`` back to the article is then not collected.)
"""



cdef extern from "Python.h":
    int PyObject_IS_GC(object op)
    void PyObject_GC_UnTrack(void* op)


def clean_articles(
    lines,
    loads,
    loads_error,
    tuple fields,
    dict seen,
    dict dates,
    build,
    check,
    general,
    refused,
    double big_float,
):
    """The Articles of JSON Lines ``lines`` (the BOM already removed); see the twin."""
    cdef object id_field, text_field, title_field, date_field, source_field, lang_field
    id_field, text_field, title_field, date_field, source_field, lang_field = fields
    cdef Py_ssize_t position = -1
    cdef Py_ssize_t line_no = 0
    cdef object data, value, text, title, date, item, ident, source, lang, article, name, admitted
    cdef dict record
    cdef bint clean
    cdef double number
    for data in lines:
        line_no += 1
        try:
            value = loads(data)
        except loads_error:
            if not data.strip():  # blank lines separate nothing and are not records
                continue
            value = refused
        position += 1
        if type(value) is dict:
            record = <dict>value
            text = record.get(text_field)
            title = record.get(title_field)
            date = record.get(date_field)
            if (
                type(text) is str
                and (title is None or type(title) is str)
                and (date is None or (type(date) is str and date in dates))
            ):
                clean = True
                for item in record.values():
                    if type(item) is float:
                        number = item
                        if not -big_float < number < big_float:  # NaN fails too, as in the twin
                            clean = False
                            break
                    elif type(item) is dict or type(item) is list:
                        clean = False  # maybe a big integer, or nested: the general path decides
                        break
                if clean:
                    ident = record.get(id_field)
                    if ident is None or ident == "":
                        ident = str(position)
                    elif type(ident) is not str:
                        ident = str(ident)
                    if ident not in seen:
                        source = record.get(source_field) or None
                        lang = record.get(lang_field) or None
                        for name in fields:
                            if name in record:
                                del record[name]
                        article = build(ident, text, title or None, None if date is None else dates[date],
                                        source, lang, record)
                        if check is None or _passes(check, article):
                            # Only an object with a GC header can be untracked: ``build`` is the
                            # caller's, and untracking anything else would read before the object.
                            if PyObject_IS_GC(article):
                                PyObject_GC_UnTrack(<void*>article)
                            seen[ident] = line_no
                            yield article
                            continue
                        # The check failed: the general path runs it again, to report it.  It
                        # needs the whole record, and this one lost its known fields.
                        value = refused
        admitted = general(data, value, line_no, position)
        if admitted is not None:
            yield admitted


cdef bint _passes(check, article):
    try:
        check(article)
    except Exception:  # the general path says what, or raises it again
        return False
    return True
