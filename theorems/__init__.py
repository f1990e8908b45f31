"""Executable implicit-bias claims: contract, registry, strategies, engine, reports, CLI.

The checks do many small dense linear-algebra operations, and they run several at a time (pytest
-n, ``claims report --jobs``, Dask workers). A multi-threaded BLAS then oversubscribes the cores
and makes them many times slower (an SVD of a 100 x 1000 matrix took 0.15-1.2 s with two threads
on a loaded 2-core machine, 0.01 s with one). So, unless the user has chosen otherwise, BLAS and
OpenMP run single-threaded in every process that imports this package before numpy does (the
``claims`` command, the pytest plugin, the report's workers). Export OPENBLAS_NUM_THREADS /
OMP_NUM_THREADS / MKL_NUM_THREADS to override.
"""
import os as _os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")
