"""The registry of claims.

Every module in :mod:`theorems.families` registers its claims at import time with
:func:`register`; :func:`all_claims` imports them all (so adding a family is adding a module,
nothing here changes). Ids are unique, stable, kebab-case.

Claims from other packages: an installed distribution declares an entry point in the group
``implicit_bias.claims`` (see :data:`ENTRY_POINT_GROUP`) naming a module that calls
:func:`theorems.api.register` at import (or a callable returning claims); they are loaded after
this package's families and appear in ``claims list``, ``report``, ``compare`` and pytest.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys

from .contract import Claim

ENTRY_POINT_GROUP = "implicit_bias.claims"
_CLAIMS: dict[str, Claim] = {}
_MODULE: dict[str, str] = {}  # claim id -> the module that registered it
_LOADED = False
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class UnknownClaim(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; we want a plain line
        return self.args[0]


def register(*claims: Claim) -> None:
    caller = sys._getframe(1).f_globals.get("__name__", "")
    if caller == __name__:  # through load_entry_points: attribute to the plugin's module
        caller = "plugin"
    for c in claims:
        if not _ID.match(c.id):
            raise ValueError(f"claim id {c.id!r} is not kebab-case")
        if c.id in _CLAIMS and _CLAIMS[c.id] is not c:
            raise ValueError(f"duplicate claim id {c.id!r}")
        _CLAIMS[c.id] = c
        _MODULE[c.id] = caller


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from . import families

    mods = import_modules(families)
    # list claims in catalogue order (a family module may set CATALOGUE_ENTRY), then by module name
    rank = {}
    for k, mod in enumerate(sorted(mods, key=lambda mod: (getattr(mod, "CATALOGUE_ENTRY", 99), mod.__name__))):
        for cid, owner in _MODULE.items():
            if owner == mod.__name__:
                rank.setdefault(cid, k)
    order = sorted(_CLAIMS, key=lambda i: rank.get(i, len(mods)))
    _CLAIMS.update({i: _CLAIMS.pop(i) for i in order})
    _LOADED = True
    load_entry_points()


def import_modules(package) -> list:
    """Import every module of ``package`` not starting with ``_``, in name order."""
    return [importlib.import_module(f"{package.__name__}.{m.name}")
            for m in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name) if not m.name.startswith("_")]


def did_you_mean(name: str, names, listing: str) -> str:
    """A hint for an unknown name: close names, or the command that lists them."""
    close = [n for n in names if name in n or n in name]
    return f" (did you mean {', '.join(close[:3])}?)" if close else f" (see `{listing}`)"


_EP_LOADED = False
ENTRY_POINT_ERRORS: list[str] = []


def load_entry_points() -> None:
    """Import the claim modules other installed packages declare (once). A package whose entry
    point fails to load is named in :data:`ENTRY_POINT_ERRORS` (``claims list`` prints it) and
    skipped; it never breaks this package's claims."""
    global _EP_LOADED
    if _EP_LOADED:
        return
    _EP_LOADED = True
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, type(sys)):
                out = obj()
                if out:
                    register(*[c for c in out if isinstance(c, Claim)])
        except Exception as e:  # noqa: BLE001 - a broken plugin is reported, not fatal
            ENTRY_POINT_ERRORS.append(f"entry point {ep.name} ({ep.value}): {type(e).__name__}: {e}"[:300])


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
        raise UnknownClaim(f"unknown claim id {claim_id!r}{did_you_mean(claim_id, _CLAIMS, 'claims list')}") from None
