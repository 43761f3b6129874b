"""Compiled kernels (Cython). Plain functions on validated arrays; use the public
wrappers in :mod:`sklearn_sbs.boltzmann`, :mod:`sklearn_sbs.spikes` instead."""
