"""Pure-Python twins of the compiled kernels in ``ext/``: same names, signatures and results.

They are the executable specification: readable first, fast never.  The test suite checks
that each compiled kernel agrees with its twin bit for bit.
"""
