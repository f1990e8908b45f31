"""The claim contract: what a claim is, what a check returns, how a verdict is reached.

A *claim* is a theorem (or a statement the notes make) about where an optimizer lands, made
executable. Its ``check(instance, statement)`` runs the dynamics and an independent, certified
reference solver on one instance and returns :class:`Evidence`. The ``statement`` is a mapping of
the parts of the mathematical statement that can be wrong (the predicted limit, a constant, an
exponent, a rate); the claim's own ``statement`` is the theorem, each :class:`Mutant` overrides
some of them with a plausible-but-wrong version that the *same* check must refute.

Outcome of one instance (:meth:`Evidence.outcome`):

* ``precondition`` -- the instance violates the theorem's hypotheses (not a pass, not a fail);
* ``inconclusive`` -- a reference certificate is invalid, or the run did not converge within
  its budget (so nothing can be said);
* ``pass`` -- ``gap <= tolerance``; ``fail`` -- ``gap > tolerance``.

Verdict of a claim over many instances (see :mod:`theorems.engine`): ``refuted`` if some
instance fails (a counterexample, shrunk by Hypothesis and saved), ``confirmed`` if every
instance passed with valid certificates, ``inconclusive`` otherwise. A claim with
``expected="fails"`` documents a statement that is false; it is in good standing when refuted.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from solvers.certificate import Certificate  # re-exported: solvers never import theorems

Instance = dict  # field name -> numpy array or python scalar


class Verdict(str, Enum):
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


class InstanceError(ValueError):
    """A user-supplied instance is malformed or violates the claim's assumptions."""


@dataclass(frozen=True)
class Series:
    """One curve of a figure: ``y`` against ``x``; ``style`` is 'line', 'scatter' or 'step'."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: str = "line"


@dataclass(frozen=True)
class Figure:
    """A figure a check contributes to the report.

    Figures with the same ``name`` coming from different claims are drawn in one plot (e.g. the
    distance to the min-norm point for every least-squares optimizer).
    """

    name: str
    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    xscale: str = "linear"
    yscale: str = "linear"


@dataclass
class Evidence:
    """What one check on one instance measured.

    ``gap`` is the measured discrepancy between the dynamics and the statement, held to
    ``tolerance``; ``tolerance_reason`` says where the tolerance comes from (step size, horizon,
    conditioning, solver certificate...), never "tuned".
    """

    gap: float
    tolerance: float
    tolerance_reason: str
    certificates: list[Certificate] = field(default_factory=list)
    converged: bool = True
    convergence_note: str = ""
    precondition_ok: bool = True
    precondition_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        return all(c.valid for c in self.certificates)

    @property
    def outcome(self) -> str:
        if not self.precondition_ok:
            return "precondition"
        if not self.certified or not self.converged:
            return "inconclusive"
        if not (math.isfinite(self.gap) and math.isfinite(self.tolerance)):
            return "inconclusive"
        return "pass" if self.gap <= self.tolerance else "fail"

    def why(self) -> str:
        """One line explaining the outcome."""
        o = self.outcome
        if o == "precondition":
            return f"precondition miss: {self.precondition_note}"
        if not self.certified:
            bad = [c for c in self.certificates if not c.valid]
            return "reference not certified: " + "; ".join(
                f"{c.name} worst residual {c.worst:.2e} > {c.tolerance:.1e}" for c in bad
            )
        if not self.converged:
            return f"run did not converge: {self.convergence_note}"
        rel = "<=" if o == "pass" else ">"
        return f"gap {self.gap:.3e} {rel} tolerance {self.tolerance:.3e} ({self.tolerance_reason})"

    def to_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "gap": _num(self.gap),
            "tolerance": _num(self.tolerance),
            "tolerance_reason": self.tolerance_reason,
            "certificates": [c.to_json() for c in self.certificates],
            "converged": self.converged,
            "convergence_note": self.convergence_note,
            "precondition_ok": self.precondition_ok,
            "precondition_note": self.precondition_note,
            "timings": {k: float(v) for k, v in self.timings.items()},
            "details": {k: _jsonable(v) for k, v in self.details.items()},
        }


@dataclass(frozen=True)
class Assumption:
    """A hypothesis of the theorem, checked on every instance.

    ``test(instance)`` returns ``None`` when the assumption holds, else a short message.
    """

    description: str
    test: Callable[[Instance], str | None]


@dataclass(frozen=True)
class Field:
    """An instance field: its name, expected number of dimensions (0 = scalar), meaning, and
    whether it holds integers (``integer=True``: sizes, seeds, depths, choices)."""

    name: str
    ndim: int
    description: str
    integer: bool = False


@dataclass(frozen=True)
class Mutant:
    """A perturbed statement the same check must get wrong.

    For a claim expected to hold, a mutant (wrong constant, norm, exponent, limit) must be
    ``refuted``. For a claim expected to fail (an erratum or a negative control), the
    falsification control runs the other way: the corrected statement, or a run that satisfies
    the theorem's hypotheses, must be ``confirmed`` by the same check, so the refutation cannot
    come from a check that never passes. ``must`` records which.
    """

    id: str
    description: str
    overrides: Mapping[str, Any]
    must: Verdict = Verdict.REFUTED


@dataclass(frozen=True)
class Claim:
    """An executable claim (see module docstring)."""

    id: str
    title: str
    statement: str
    source: str
    assumptions: tuple[Assumption, ...]
    fields: tuple[Field, ...]
    strategy: Callable[[], Any]  # () -> hypothesis SearchStrategy[Instance]
    check: Callable[[Instance, Mapping[str, Any]], Evidence]
    params: Mapping[str, Any]
    mutants: tuple[Mutant, ...]
    expected: str = "holds"  # or "fails"
    kind: str = "limit"  # limit | asymptotic | rate | identity
    family: str = ""
    erratum: str = ""  # for expected-fails claims documenting the notes: the corrected statement
    max_precondition_miss: float = 0.2
    # Hypothesis examples per profile; expensive claims lower them and say why in their module.
    examples: Mapping[str, int] = field(default_factory=lambda: {"quick": 8, "thorough": 40})
    # how many of the generated instances each mutant is evaluated on
    mutant_instances: int = 4
    # optional fixed, moderately sized instance evaluated after the search (it counts as an instance)
    # and used for the report's figures; claims of one family share it so merged figures compare
    # methods on the same problem. Without it the figures come from the first generated instance.
    showcase: Callable[[], Instance] | None = None

    def __post_init__(self):
        if self.expected not in ("holds", "fails"):
            raise ValueError(f"claim {self.id}: expected must be 'holds' or 'fails'")
        if self.kind not in ("limit", "asymptotic", "rate", "identity"):
            raise ValueError(f"claim {self.id}: unknown kind {self.kind!r}")

    @property
    def good_verdict(self) -> Verdict:
        return Verdict.CONFIRMED if self.expected == "holds" else Verdict.REFUTED

    def precondition_misses(self, instance: Instance) -> list[str]:
        out = []
        for a in self.assumptions:
            msg = a.test(instance)
            if msg:
                out.append(f"{a.description}: {msg}")
        return out

    def evaluate(self, instance: Instance, statement: Mapping[str, Any] | None = None) -> Evidence:
        """Check the assumptions, then run the check under ``statement`` (default: the claim's)."""
        misses = self.precondition_misses(instance)
        if misses:
            return Evidence(
                gap=math.nan,
                tolerance=math.nan,
                tolerance_reason="not evaluated",
                precondition_ok=False,
                precondition_note="; ".join(misses),
            )
        stmt = dict(self.params)
        if statement:
            stmt.update(statement)
        return self.check(instance, stmt)

    def with_(self, **changes) -> "Claim":
        return dataclasses.replace(self, **changes)


def _num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _jsonable(v):
    if isinstance(v, (np.floating, float)):
        return _num(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.ndarray):
        if v.size > 64:
            return f"<array shape {list(v.shape)}>"
        return [_jsonable(x) for x in v.ravel().tolist()]
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    return str(v)
