"""Build the Cython kernels of retold.

Every ``ext/<topic>.pyx`` becomes the extension ``retold._ext.<topic>``; the C-level
declarations that other kernels cimport live beside the package in
``src/retold/_ext/<topic>.pxd`` so that their runtime import name is the real module name.

Compiler directives are set here once for all kernels.  ``RETOLD_DEBUG=1`` turns bounds
and wraparound checks back on (and drops optimisation) for hunting a crash.
``RETOLD_ONLY=topic1,topic2`` builds a subset, which is handy while developing one kernel (every
kernel imports ``_buffer``, the memory scheme: list it too when it changed or is not built yet).
"""
import os
import sys
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = Path(__file__).parent
DEBUG = os.environ.get("RETOLD_DEBUG", "") not in ("", "0")
ONLY = {t for t in os.environ.get("RETOLD_ONLY", "").split(",") if t}

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}

if sys.platform == "win32":
    compile_args = ["/O2"]
else:
    # Never -march=native: wheels and sdists must run on any CPU of the target architecture.
    compile_args = ["-O0", "-g"] if DEBUG else ["-O3"]

topics = sorted(p.stem for p in (HERE / "ext").glob("*.pyx"))
if ONLY:
    topics = [t for t in topics if t in ONLY]

extensions = [
    Extension(
        f"retold._ext.{topic}",
        [f"ext/{topic}.pyx"],
        include_dirs=[np.get_include(), "ext"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
    )
    for topic in topics
]

setup(
    ext_modules=cythonize(
        extensions,
        include_path=["src", "ext"],
        compiler_directives=directives,
        quiet=True,
    ),
)
