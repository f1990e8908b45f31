"""The registry of claims.

Every module in :mod:`theorems.families` registers its claims at import time with
:func:`register`; :func:`all_claims` imports them all (so adding a family is adding a module,
nothing here changes). Ids are unique, stable, kebab-case.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

from .contract import Claim

_CLAIMS: dict[str, Claim] = {}
_LOADED = False
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class UnknownClaim(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; we want a plain line
        return self.args[0]


def register(*claims: Claim) -> None:
    for c in claims:
        if not _ID.match(c.id):
            raise ValueError(f"claim id {c.id!r} is not kebab-case")
        if c.id in _CLAIMS and _CLAIMS[c.id] is not c:
            raise ValueError(f"duplicate claim id {c.id!r}")
        _CLAIMS[c.id] = c


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from . import families

    for mod in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{families.__name__}.{mod.name}")
    _LOADED = True


def all_claims() -> list[Claim]:
    _load()
    return list(_CLAIMS.values())


def ids() -> list[str]:
    return [c.id for c in all_claims()]


def get(claim_id: str) -> Claim:
    _load()
    try:
        return _CLAIMS[claim_id]
    except KeyError:
        close = [i for i in _CLAIMS if claim_id in i or i in claim_id]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else " (see `claims list`)"
        raise UnknownClaim(f"unknown claim id {claim_id!r}{hint}") from None
