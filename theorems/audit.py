"""Static audit of a claim's check power: what it must declare, and that its independent
certificate shares no code with the solver or the model.

A certificate that calls the same helper as the solver (say, the one forming the signed data
y_i x_i) cannot see a bug in that helper: both sides agree on the wrong answer. So
:attr:`Claim.verify` must be code of :mod:`solvers.certify` (or, for a claim from another package,
its own certify code) that reaches nothing in ``models`` or the rest of ``solvers``. The audit
walks the functions and modules ``verify`` refers to (globals, closures, nested functions,
partials), following the certify package's own helpers, and names every reference that leaves it.

An audit problem puts the claim out of good standing (the engine reports it next to the verdict).
"""
from __future__ import annotations

import functools
import inspect
import types
from typing import Any

from .contract import Claim, Verdict

FORBIDDEN_PREFIXES = ("models", "solvers")
ALLOWED_PREFIXES = ("solvers.certify", "solvers.certificate")


def _module_of(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return getattr(obj, "__module__", "") or ""


def _forbidden(module: str) -> bool:
    if any(module == p or module.startswith(p + ".") for p in ALLOWED_PREFIXES):
        return False
    return any(module == p or module.startswith(p + ".") for p in FORBIDDEN_PREFIXES)


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _code_names(c)
    return names


def shared_code(fn: Any) -> list[str]:
    """The references of ``fn`` (transitively, through certify helpers) into models/solvers."""
    found: list[str] = []
    seen: set[int] = set()

    def visit(obj: Any, via: str) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, functools.partial):
            visit(obj.func, via)
            for a in list(obj.args) + list(obj.keywords.values()):
                if callable(a):
                    visit(a, via)
            return
        if isinstance(obj, types.ModuleType):
            if _forbidden(obj.__name__):
                found.append(f"{via} uses module {obj.__name__}")
            return
        if inspect.isclass(obj) or not callable(obj):
            if _forbidden(_module_of(obj)):
                found.append(f"{via} uses {_module_of(obj)}.{getattr(obj, '__qualname__', type(obj).__name__)}")
            return
        mod = _module_of(obj)
        name = f"{mod}.{getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"
        if _forbidden(mod):
            found.append(f"{via} calls {name}")
            return
        code = getattr(obj, "__code__", None)
        if code is None:  # a builtin or a C function (numpy, scipy): library code is shared by design
            return
        g = getattr(obj, "__globals__", {})
        for n in sorted(_code_names(code)):
            if n in g:
                visit(g[n], name)
            elif "." in n and _forbidden(n):  # a function-level ``import`` / ``from ... import``
                found.append(f"{name} imports {n}")
        for cell in getattr(obj, "__closure__", None) or ():
            try:
                v = cell.cell_contents
            except ValueError:
                continue
            if callable(v) or isinstance(v, types.ModuleType):
                visit(v, name)

    visit(fn, getattr(fn, "__qualname__", "verify"))
    return found


def missing_declarations(claim: Claim) -> list[str]:
    """What a judged claim must declare and does not: a resolution, and (for a check against a
    reference) an independent certificate of that reference. Each is an audit problem: a judged
    claim without them is out of good standing (its check's power is unstated or its reference
    unchecked), whichever package it comes from."""
    out: list[str] = []
    if claim.expected in ("holds", "fails") and claim.resolution is None:
        out.append("no declared resolution (the smallest wrong statement its check refutes)")
    # an open claim is never confirmed, so its references need no independent certificate to
    # protect a verdict (its calibrations still run on the solver's own certificates)
    if (claim.kind != "identity" and claim.verify is None and claim.expected != "open"
            and (claim.expected != "fails" or claim.control is not None)):
        out.append("no independent certificate (verify) of the reference it compares against")
    return out


def audit(claim: Claim) -> list[str]:
    """Problems that put a claim out of good standing: a missing declaration (see
    :func:`missing_declarations`), a certificate that shares code with the solver or the model, a
    non-positive resolution, an open claim without both calibrations."""
    problems: list[str] = list(missing_declarations(claim))
    if claim.resolution is not None and not claim.resolution.declared > 0:
        problems.append(f"declared resolution {claim.resolution.declared} is not positive")
    if claim.verify is not None:
        problems += [f"verify shares code with the solver or the model: {p}" for p in shared_code(claim.verify)]
    if claim.expected == "open":
        if not any(m.must == Verdict.CONFIRMED for m in claim.mutants):
            problems.append("an open claim needs a known-true calibration (near)")
        if not any(m.must == Verdict.REFUTED for m in claim.mutants):
            problems.append("an open claim needs a known-false calibration (far)")
    return problems


__all__ = ["audit", "missing_declarations", "shared_code"]
