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
A claim with ``expected="open"`` (a conjecture or an approximate statement) is never judged: its
verdict is ``measured`` (the gap's distribution is reported) and its mutants are *calibration
controls*, a known-true case that must measure within the stated threshold and a known-false one
that must measure beyond it.

Check power (:class:`Resolution`). A ``holds``/``fails`` claim declares the size of the smallest
wrong statement its check refutes, in its own quantity, with a ``mutate(statement, r)`` that builds
the wrong statement of size ``r``; the engine evaluates it on the mutant instances and measures the
finest size still refuted. Terms of the tolerance that are *measured on the run* (remaining motion,
a manifold defect, a path length) go into :attr:`Evidence.run_budget`; their sum is capped at the
resolution (:attr:`Resolution.budget_cap`): a run whose own error budget exceeds it is
``inconclusive`` ("the run's own error budget exceeds what this claim resolves"), never a pass.

Independent certificates (:attr:`Claim.verify`). A check hands the predicted answer it compared
against in :attr:`Evidence.reference`; :meth:`Claim.evaluate` passes it, with an untouched copy of
the raw instance, to ``verify`` -- code in :mod:`solvers.certify` that shares nothing with the solver
or the model (:mod:`theorems.audit` enforces it) -- and appends the certificate it returns. A
reference that ``verify`` rejects makes the instance inconclusive.
"""
from __future__ import annotations

import copy
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
    MEASURED = "measured"  # an ``open`` claim: the gap is measured and reported, never judged


EXPECTATIONS = ("holds", "fails", "open")
KINDS = ("limit", "asymptotic", "rate", "identity")


class InstanceError(ValueError):
    """A user-supplied instance is malformed or violates the claim's assumptions."""


@dataclass(frozen=True)
class Series:
    """One curve of a figure: ``y`` against ``x``; ``style`` is 'line', 'scatter', 'step', 'dashed' or
    'dotted' (the last two: guides such as a predicted order through a measured point)."""

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
    # the predicted answer the gap was measured against (e.g. {"w": w_pred}), for Claim.verify
    reference: dict[str, Any] = field(default_factory=dict)
    # tolerance terms measured on the run itself (remaining motion, a defect, a path length), in
    # the units of ``gap``; their sum is capped at the claim's resolution (see module docstring)
    run_budget: dict[str, float] = field(default_factory=dict)

    @property
    def certified(self) -> bool:
        return all(c.valid for c in self.certificates)

    @property
    def budget_total(self) -> float:
        """The sum of :attr:`run_budget` (0 when the check measured no such term): what the claim's
        resolution caps, and what a check that extends its own run compares with that cap."""
        return float(sum(self.run_budget.values()))

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
            "run_budget": {k: _num(v) for k, v in self.run_budget.items()},
            "details": {k: _jsonable(v) for k, v in self.details.items()},
        }


@dataclass(frozen=True)
class Assumption:
    """A hypothesis of the theorem, checked on every instance.

    ``test(instance)`` returns ``None`` when the assumption holds, else a short message.
    """

    description: str
    test: Callable[[Instance], str | None]


_REQUIRED = object()


@dataclass(frozen=True)
class Field:
    """An instance field: its name, expected number of dimensions (0 = scalar), meaning, whether
    it holds integers (``integer=True``: sizes, seeds, depths, choices), and a documented
    ``default`` for knobs a paper does not give (step fractions, momentum, seeds): a field with a
    default may be left out of an instance file."""

    name: str
    ndim: int
    description: str
    integer: bool = False
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclass(frozen=True)
class Mutant:
    """A perturbed statement the same check must get wrong.

    For a claim expected to hold, a mutant (wrong constant, norm, exponent, limit) must be
    ``refuted``. For a claim expected to fail (an erratum or a negative control), the
    falsification control runs the other way: the corrected statement, or a run that satisfies
    the theorem's hypotheses, must be ``confirmed`` by the same check, so the refutation cannot
    come from a check that never passes. ``must`` records which.

    For an ``open`` claim the mutants are calibration controls (:func:`near` / :func:`far`): a
    known-true case that must be confirmed (measured within the threshold) and a known-false case
    that must be refuted on *every* instance. ``strategy`` optionally gives a calibration its own
    instances (e.g. commuting measurements for a conjecture about general ones); without it, the
    mutant runs on the claim's own mutant instances.
    """

    id: str
    description: str
    overrides: Mapping[str, Any]
    must: Verdict = Verdict.REFUTED
    strategy: Callable[[], Any] | None = None

    @property
    def is_control(self) -> bool:
        """The statement is a true one (a correction, a control or a near calibration): its
        reference gets the independent certificate, like the claim's own statement."""
        return self.must == Verdict.CONFIRMED


def near(id: str, description: str, overrides: Mapping[str, Any] | None = None,
         strategy: Callable[[], Any] | None = None) -> Mutant:
    """Calibration of an ``open`` claim: a known-true case, measured within the threshold."""
    return Mutant(id, description, dict(overrides or {}), Verdict.CONFIRMED, strategy)


def far(id: str, description: str, overrides: Mapping[str, Any] | None = None,
        strategy: Callable[[], Any] | None = None) -> Mutant:
    """Calibration of an ``open`` claim: a known-false case, measured beyond the threshold on
    every instance."""
    return Mutant(id, description, dict(overrides or {}), Verdict.REFUTED, strategy)


@dataclass(frozen=True)
class Resolution:
    """The smallest wrong statement a check must refute (see module docstring).

    ``declared`` is the size ``r`` in the claim's own ``quantity`` (a relative perturbation of the
    predicted limit in a random direction; an exponent or order off by ``r``; a constant scaled by
    ``1 + r``). ``mutate(statement, r)`` returns the overrides of the wrong statement of size
    ``r`` (:mod:`theorems.resolution` has the common ones). ``cap`` bounds the sum of
    :attr:`Evidence.run_budget` in gap units; it defaults to ``declared`` (right when the gap is
    measured in the claim's quantity, e.g. a relative distance to the predicted limit).
    """

    declared: float
    quantity: str
    mutate: Callable[[Mapping[str, Any], float], Mapping[str, Any]]
    cap: float | None = None

    @property
    def budget_cap(self) -> float:
        return float(self.declared if self.cap is None else self.cap)


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
    expected: str = "holds"  # or "fails" or "open"
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
    # the smallest wrong statement the check refutes (required for holds / fails claims)
    resolution: Resolution | None = None
    # independent certificate of Evidence.reference from the raw instance (solvers.certify)
    verify: Callable[[Instance, Mapping[str, Any]], Any] | None = None
    # for instance files and published configurations: bring a valid instance a person wrote into
    # the form the check expects (e.g. merge duplicate points), returning it and what was done
    normalize: Callable[[Instance], tuple[Instance, list[str]]] | None = None

    def __post_init__(self):
        if self.expected not in EXPECTATIONS:
            raise ValueError(f"claim {self.id}: expected must be one of {', '.join(EXPECTATIONS)}")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: unknown kind {self.kind!r}")

    @property
    def good_verdict(self) -> Verdict:
        return {"holds": Verdict.CONFIRMED, "fails": Verdict.REFUTED, "open": Verdict.MEASURED}[self.expected]

    @property
    def control(self) -> Mutant | None:
        """For an expected-fails claim: the corrected statement (its first control)."""
        return next((m for m in self.mutants if m.must == Verdict.CONFIRMED), None)

    def precondition_misses(self, instance: Instance) -> list[str]:
        """The first assumption the instance violates (empty if none). Assumptions are tested in
        order and stop at the first miss: a later one may presuppose an earlier one (a kernel on X
        needs a valid width first), and must not crash on an instance the earlier one rejects."""
        for a in self.assumptions:
            msg = a.test(instance)
            if msg:
                return [f"{a.description}: {msg}"]
        return []

    def evaluate(self, instance: Instance, statement: Mapping[str, Any] | None = None,
                 certify: bool | None = None) -> Evidence:
        """Check the assumptions, then run the check under ``statement`` (default: the claim's).

        ``certify`` (default: the statement is the claim's own and the claim is not expected to
        fail) hands :attr:`Evidence.reference` to :attr:`verify` with an untouched copy of the
        raw instance. The run's measured error budget is capped at the resolution either way.
        """
        misses = self.precondition_misses(instance)
        if misses:
            return Evidence(
                gap=math.nan,
                tolerance=math.nan,
                tolerance_reason="not evaluated",
                precondition_ok=False,
                precondition_note="; ".join(misses),
            )
        if certify is None:
            certify = not statement and self.expected != "fails"
        raw = copy.deepcopy(instance) if (certify and self.verify is not None) else None
        stmt = dict(self.params)
        if statement:
            stmt.update(statement)
        ev = self.check(instance, stmt)
        if raw is not None:
            ev.certificates.extend(_independent_certificates(self, raw, ev))
        if self.resolution is not None and ev.run_budget:
            budget = ev.budget_total
            cap = self.resolution.budget_cap
            if not budget <= cap:
                ev.converged = False
                terms = ", ".join(f"{k} {v:.1e}" for k, v in ev.run_budget.items())
                ev.convergence_note = (f"the run's own error budget, {budget:.2e} ({terms}), exceeds what this claim "
                                       f"resolves ({cap:.1e}); " + ev.convergence_note).rstrip("; ")
        return ev

    def with_(self, **changes) -> "Claim":
        return dataclasses.replace(self, **changes)


def _independent_certificates(claim: Claim, raw: Instance, ev: Evidence) -> list[Certificate]:
    if not ev.precondition_ok:
        return []
    if not ev.reference:
        return [Certificate(f"independent check ({claim.id})", {"no reference handed to verify": math.inf}, 0.0)]
    try:
        out = claim.verify(raw, ev.reference)
    except Exception as e:  # noqa: BLE001 - an unverifiable reference is not certified
        return [Certificate(f"independent check raised {type(e).__name__}: {str(e)[:80]}", {"raised": math.inf}, 0.0)]
    return list(out) if isinstance(out, (list, tuple)) else [out]


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
