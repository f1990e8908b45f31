"""Memoized runs: the dynamics and the reference of an instance are computed once per process.

Mutants, resolution mutants and calibrations re-run a claim's check on the same instances with a
different statement; the run and the solver answer do not depend on the statement, so a check
wraps them in :func:`memo` and only the comparison is redone. Keys are content hashes of the
arguments (arrays by dtype, shape and bytes), so equal instances share an entry and a changed one
never does. The cache is bounded (least recently used entries go first) and per process.

Callers must not modify a returned object in place (it is shared by later calls).
"""
from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

MAXSIZE = 64


def _feed(h, x: Any) -> None:
    if isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x)
        h.update(f"a{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    elif isinstance(x, dict):
        h.update(b"d")
        for k in sorted(x, key=str):
            h.update(str(k).encode())
            _feed(h, x[k])
    elif isinstance(x, (list, tuple)):
        h.update(f"l{len(x)}".encode())
        for v in x:
            _feed(h, v)
    elif isinstance(x, (np.generic, float, int, bool, str, bytes, type(None))):
        h.update(f"{type(x).__name__}:{x!r}".encode())
    elif callable(x):  # functions are part of the key by identity (a statement's limit, a loss)
        h.update(f"f{getattr(x, '__module__', '')}.{getattr(x, '__qualname__', '')}@{id(x)}".encode())
    else:
        h.update(f"o{type(x).__name__}:{x!r}".encode())


def key_of(*args: Any, **kwargs: Any) -> str:
    h = hashlib.blake2b(digest_size=20)
    _feed(h, args)
    _feed(h, kwargs)
    return h.hexdigest()


def memo(fn: Callable | None = None, *, maxsize: int = MAXSIZE):
    """Decorator: cache ``fn``'s result by the content of its arguments (see module docstring)."""

    def wrap(f: Callable) -> Callable:
        cache: OrderedDict[str, Any] = OrderedDict()

        @functools.wraps(f)
        def cached(*args, **kwargs):
            k = key_of(*args, **kwargs)
            if k in cache:
                cache.move_to_end(k)
                return cache[k]
            out = f(*args, **kwargs)
            cache[k] = out
            if len(cache) > maxsize:
                cache.popitem(last=False)
            return out

        cached.cache_clear = cache.clear  # type: ignore[attr-defined]
        cached.cache_info = lambda: {"size": len(cache), "maxsize": maxsize}  # type: ignore[attr-defined]
        return cached

    return wrap(fn) if fn is not None else wrap


__all__ = ["memo", "key_of"]
