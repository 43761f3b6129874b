"""Only the Cython extensions live here; all metadata is in pyproject.toml."""
import platform
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# OpenMP for the prange loops of the exact enumeration; gcc and clang on Linux.
openmp = [] if sys.platform == "win32" else ["-fopenmp"]
compile_args = ["-O3", "-fno-math-errno"] + openmp


# glibc's vector math library, which gcc calls for exp() under -ffast-math on x86_64
vector_math = ["mvec"] if sys.platform.startswith("linux") and platform.machine() == "x86_64" else []


def kernel(name, extra=(), libraries=()):
    return Extension(
        f"sklearn_sbs._kernels.{name}",
        [f"src/sklearn_sbs/_kernels/{name}.pyx"],
        include_dirs=[np.get_include(), "src/sklearn_sbs/_kernels"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args + list(extra),
        extra_link_args=openmp,
        libraries=list(libraries),
    )


setup(
    ext_modules=cythonize(
        [
            # fast-math vectorises exp(); the kernel is written not to need inf/NaN
            kernel("_enumeration", ["-ffast-math"], vector_math),
            kernel("_spikes"),
            kernel("_gibbs"),
        ],
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
