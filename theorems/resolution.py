"""Resolution mutants: wrong statements of a chosen size ``r``, and the ladder they are measured on.

A claim's :class:`~theorems.contract.Resolution` says how fine its check is: the size of the
smallest wrong statement it must refute, in the claim's own quantity. The builders here make the
common kinds of wrong statement of size ``r`` from the claim's statement (its ``params``):

* :func:`perturb_limit` -- the predicted limit moved by ``r`` times its norm in a fixed random
  direction: the answer to "to how many digits does the run land on the predicted point?";
* :func:`shift` -- an exponent, order or rate off by ``r`` (``+r``, or ``-r``);
* :func:`scale` -- a constant scaled by ``1 + r``.

The engine (:func:`theorems.mutation.run_resolution`) evaluates the wrong statement of the declared
size on the mutant instances (no new search) and walks the :data:`LADDER` from there to the
finest size still refuted: the *measured* resolution. A claim whose declared-size mutant survives
is out of good standing, so no tolerance can be loosened past its declared resolution unnoticed.
"""
from __future__ import annotations

import zlib
from typing import Any, Callable, Mapping

import numpy as np

LADDER: tuple[float, ...] = tuple(10.0 ** -k for k in range(1, 13))  # 1e-1, 1e-2, ..., 1e-12

Mutate = Callable[[Mapping[str, Any], float], Mapping[str, Any]]


def direction(shape: tuple[int, ...], salt: str = "") -> np.ndarray:
    """A fixed unit direction of the given shape (the same on every run: resolutions are
    reproducible). ``salt`` gives different arrays of one statement different directions."""
    seed = zlib.crc32(f"{shape}|{salt}".encode())
    u = np.random.default_rng(seed).standard_normal(shape)
    return u / np.linalg.norm(u)


def moved(x: np.ndarray, r: float, salt: str = "") -> np.ndarray:
    """``x + r ||x|| u`` with ``u`` a fixed unit direction (a relative perturbation of size r)."""
    x = np.asarray(x, dtype=float)
    return x + r * max(float(np.linalg.norm(x)), np.finfo(float).tiny) * direction(x.shape, salt)


def perturb_limit(key: str = "limit", index: int | None = 0, salt: str = "") -> Mutate:
    """The statement's predicted limit ``stmt[key](...)`` moved by ``r ||x||`` in a random direction.

    ``stmt[key]`` is a function returning the predicted array, or a tuple whose ``index``-th item
    is it (``(solution, certificate)`` as the solvers return); everything else passes through, so
    the reference keeps its certificate and only the statement is wrong."""

    def mutate(stmt: Mapping[str, Any], r: float) -> dict[str, Any]:
        f = stmt[key]

        def perturbed(*args, **kwargs):
            out = f(*args, **kwargs)
            if index is None:
                return moved(out, r, salt)
            out = list(out)
            out[index] = moved(out[index], r, salt)
            return tuple(out)

        perturbed.__name__ = f"{getattr(f, '__name__', key)}_moved_{r:g}"
        return {key: perturbed}

    return mutate


def shift(key: str, sign: float = 1.0) -> Mutate:
    """An exponent, order or rate ``stmt[key]`` off by ``sign * r``."""
    return lambda stmt, r: {key: float(stmt[key]) + sign * r}


def scale(key: str) -> Mutate:
    """A constant ``stmt[key]`` scaled by ``1 + r``."""
    return lambda stmt, r: {key: float(stmt[key]) * (1.0 + r)}


def rungs_from(declared: float) -> tuple[list[float], list[float]]:
    """The ladder rungs finer than ``declared`` (in order) and coarser (nearest first)."""
    finer = [r for r in LADDER if r < declared * (1 - 1e-9)]
    coarser = [r for r in reversed(LADDER) if r > declared * (1 + 1e-9)]
    return finer, coarser


__all__ = ["LADDER", "direction", "moved", "perturb_limit", "shift", "scale", "rungs_from"]
