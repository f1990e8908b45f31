"""Published configurations: named instances from the papers the claims cite, shipped with the
package, each with what the paper reports next to what we measure.

A configuration is a :class:`Published`: the paper and where in it (figure, table, section), what
the paper reports (a number or a picture), the claims it feeds, and ``build(claim_id)`` returning
the instance for one of them (the fields a paper gives; knobs it does not give take the claim's
documented defaults). ``ours(claim_id, evidence)`` formats our measurement of the quantity the paper
reports, for the report's "Published configurations" table. Modules of this package register their
configurations with :func:`register_published` (imported automatically, as the claim families are).

``claims published`` lists them; ``claims check ID --published NAME`` runs one; ``claims report``
runs every configuration whose ``profiles`` include the report's profile (a configuration too
large for the quick profile ships a scaled variant under its own name, and says so in ``note``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

_PUBLISHED: dict[str, "Published"] = {}
_LOADED = False


class UnknownPublished(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Published:
    name: str
    paper: str  # authors, year, title (venue / arXiv id)
    where: str  # figure, table or section
    reports: str  # what the paper reports: a number or a picture, in words
    claims: tuple[str, ...]  # the claims this configuration feeds
    build: Callable[[str], dict]  # claim id -> raw instance (validated like an instance file)
    ours: Callable[[str, Any], str] | None = None  # (claim id, Evidence) -> our number, in words
    profiles: tuple[str, ...] = ("quick", "thorough")
    note: str = ""  # how our setting differs from the paper's, where it does
    # where this configuration is a known exception to what a claim expects in general (e.g. an
    # expected-fails statement that happens to hold on the paper's data): claim id -> "pass" or
    # "fail", the outcome that is then consistent; the note must say why
    expect: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not self.claims:
            raise ValueError(f"published configuration {self.name}: feeds no claim")
        bad = {k: v for k, v in self.expect.items() if k not in self.claims or v not in ("pass", "fail")}
        if bad:
            raise ValueError(f"published configuration {self.name}: bad expectations {bad}")


def register_published(*configs: Published) -> None:
    for p in configs:
        if p.name in _PUBLISHED and _PUBLISHED[p.name] is not p:
            raise ValueError(f"duplicate published configuration {p.name!r}")
        _PUBLISHED[p.name] = p


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import sys

    from ..registry import import_modules, load_entry_points

    import_modules(sys.modules[__name__])
    load_entry_points()


def all_published() -> list[Published]:
    _load()
    return list(_PUBLISHED.values())


def get_published(name: str) -> Published:
    _load()
    try:
        return _PUBLISHED[name]
    except KeyError:
        from ..registry import did_you_mean

        raise UnknownPublished(f"unknown published configuration {name!r}"
                               f"{did_you_mean(name, _PUBLISHED, 'claims published')}") from None


__all__ = ["Published", "UnknownPublished", "all_published", "get_published", "register_published"]
