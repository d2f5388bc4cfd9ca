# Ctrl-C from inside a nogil loop, shared by the kernels that cimport it (align, reuse).
from cpython.exc cimport PyErr_CheckSignals


cdef inline int check_signals() except -1 nogil:
    """Take the GIL and let Python raise a pending signal (KeyboardInterrupt): -1 if it did."""
    with gil:
        if PyErr_CheckSignals() == -1:
            return -1
    return 0
