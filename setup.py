"""Only the Cython extensions live here; all metadata is in pyproject.toml."""
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# OpenMP for the prange loops of the exact enumeration; gcc and clang on Linux.
openmp = [] if sys.platform == "win32" else ["-fopenmp"]
compile_args = ["-O3", "-fno-math-errno"] + openmp


def kernel(name):
    return Extension(
        f"sklearn_sbs._kernels.{name}",
        [f"src/sklearn_sbs/_kernels/{name}.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args,
        extra_link_args=openmp,
    )


setup(
    ext_modules=cythonize(
        [kernel("_boltzmann"), kernel("_spikes"), kernel("_gibbs")],
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
