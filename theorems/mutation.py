"""Mutants, calibrations and the resolution ladder: wrong statements evaluated with a claim's own
check on the instances its search drew (:func:`run_mutant`), and the finest wrong statement of the
declared kind the check still refutes (:func:`run_resolution`, sizes from :mod:`theorems.resolution`).
A calibration's own instances come from :func:`draw_instances`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import hypothesis
from hypothesis import HealthCheck, Phase, given

from .contract import Claim, Instance, Mutant, Verdict
from .evaluation import ratio as _ratio
from .evaluation import safe_evaluate, stable_seed
from .profiles import current_profile
from .resolution import rungs_from


@dataclass
class MutantResult:
    id: str
    description: str
    must: str
    verdict: str
    caught: bool
    instances: int
    refuted_on: int
    worst_ratio: float | None
    why: str
    calibration: bool = False
    replaced: int = 0  # inconclusive evaluations replaced by reserve draws (calibrations and controls)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ResolutionResult:
    """Declared vs measured resolution: ``ladder`` holds each evaluated size and whether the
    wrong statement of that size was refuted; ``measured`` is the finest size refuted."""

    declared: float
    measured: float | None
    quantity: str
    ladder: list[tuple[float, bool]]
    why: str

    @property
    def met(self) -> bool:
        return self.measured is not None and self.measured <= self.declared * (1 + 1e-9)

    def to_json(self) -> dict:
        return {"declared": self.declared, "measured": self.measured, "quantity": self.quantity,
                "met": self.met, "ladder": [[r, bool(ok)] for r, ok in self.ladder], "why": self.why}


def draw_instances(claim: Claim, strategy: Callable[[], Any], n: int, profile: str, salt: str = "") -> list[Instance]:
    """``n`` instances from ``strategy`` (reproducible in the quick profile): a calibration's own
    instances (``salt`` seeds a different reproducible draw, e.g. its reserve)."""
    out: list[Instance] = []

    @hypothesis.settings(max_examples=max(1, n), derandomize=False, database=None,
                         deadline=None, phases=(Phase.generate,), suppress_health_check=list(HealthCheck))
    @given(strategy())
    def collect(inst):
        if len(out) < n:
            out.append(inst)

    if current_profile(profile) == "quick":
        collect = hypothesis.seed(stable_seed(claim.id + "/calibration" + salt))(collect)
    collect()
    return out


def run_mutant(claim: Claim, mutant: Mutant, instances: list[Instance],
               reserve: list[Instance] | Callable[[], list[Instance]] = (), calibration: bool = False) -> MutantResult:
    """Evaluate a mutant statement with the claim's check on the given instances.

    A mutant that must be refuted and survives them is tried on the ``reserve`` instances (more of
    the claim's own generated instances) until one refutes it, as a Hypothesis search for a
    counterexample would: a wrong statement can coincide with the right one on some instances
    (e.g. a depth-D formula at D = 2). A *far calibration* of an open claim must instead be
    refuted on every instance it is evaluated on (a known-false case always measures large).

    Where every evaluation must agree (a calibration, or a control that must be confirmed), an
    inconclusive evaluation measured nothing (the run could not reach the regime the check needs):
    it is replaced by a reserve instance, at most one reserve draw per original instance, and the
    number replaced is reported (``replaced``). An inconclusive evaluation left after that keeps the
    mutant from counting as caught. ``reserve`` may be a callable, drawn only when needed."""
    certify = mutant.is_control
    evs = [safe_evaluate(claim, inst, dict(mutant.overrides), certify=certify) for inst in instances]
    replaced = 0
    if mutant.must == Verdict.REFUTED and not calibration:
        for inst in (reserve() if callable(reserve) else reserve):
            if any(e.outcome == "fail" for e in evs):
                break
            evs.append(safe_evaluate(claim, inst, dict(mutant.overrides), certify=certify))
    elif any(e.outcome == "inconclusive" for e in evs):
        spare = iter((reserve() if callable(reserve) else reserve)[:len(instances)])
        for k, e in enumerate(evs):
            while evs[k].outcome == "inconclusive":
                inst = next(spare, None)
                if inst is None:
                    break
                evs[k] = safe_evaluate(claim, inst, dict(mutant.overrides), certify=certify)
                replaced += 1
    evs = [e for e in evs if e.outcome != "precondition"]
    fails = [e for e in evs if e.outcome == "fail"]
    inconc = [e for e in evs if e.outcome == "inconclusive"]
    if fails:
        verdict = Verdict.REFUTED
    elif evs and not inconc:
        verdict = Verdict.CONFIRMED
    else:
        verdict = Verdict.INCONCLUSIVE
    ratios = [r for r in (_ratio(e) for e in evs) if r is not None]
    if mutant.must == Verdict.REFUTED:
        caught = verdict == Verdict.REFUTED and (not calibration or len(fails) == len(evs))
        if calibration and fails and len(fails) < len(evs):
            shown = next(e for e in evs if e.outcome != "fail")
        else:
            shown = max(fails, key=lambda e: _ratio(e) or 0) if fails else (evs[0] if evs else None)
    else:
        caught = verdict == Verdict.CONFIRMED
        shown = (inconc or fails or evs or [None])[0]
    return MutantResult(
        id=mutant.id,
        description=mutant.description,
        must=mutant.must.value,
        verdict=verdict.value,
        caught=caught,
        instances=len(evs),
        refuted_on=len(fails),
        worst_ratio=max(ratios) if ratios else None,
        why=(shown.why() if shown is not None else "no instance evaluated")
        + (f" [{replaced} inconclusive evaluation(s) replaced by reserve draws]" if replaced else ""),
        calibration=calibration,
        replaced=replaced,
    )


def run_resolution(claim: Claim, instances: list[Instance]) -> ResolutionResult | None:
    """Measure the check's resolution on ``instances`` (the mutant instances: no new search).

    The wrong statement of size r is the claim's statement (for an expected-fails claim: its
    corrected statement, the control) with ``resolution.mutate`` applied; it is refuted at r if
    the check fails on one of the instances. The declared size is evaluated first; the ladder is
    then walked toward finer sizes while they are refuted (or toward coarser ones until one is),
    assuming, as any resolution does, that a larger error of the same kind is easier to see."""
    res = claim.resolution
    if res is None or claim.expected == "open":
        return None
    base: dict[str, Any] = {}
    if claim.expected == "fails":
        ctrl = claim.control
        if ctrl is None:
            return ResolutionResult(res.declared, None, res.quantity, [], "no control to perturb")
        base = dict(ctrl.overrides)
    stmt0 = {**claim.params, **base}
    ladder: list[tuple[float, bool]] = []
    whys: dict[float, str] = {}

    def refuted(r: float) -> bool:
        overrides = {**base, **dict(res.mutate(stmt0, r))}
        shown = None
        for inst in instances:
            ev = safe_evaluate(claim, inst, overrides, certify=False)
            if ev.outcome == "fail":
                ladder.append((r, True))
                whys[r] = ev.why()
                return True
            if shown is None and ev.outcome != "precondition":
                shown = ev
        ladder.append((r, False))
        whys[r] = shown.why() if shown is not None else "no instance evaluated"
        return False

    finer, coarser = rungs_from(res.declared)
    measured = None
    if refuted(res.declared):
        measured = res.declared
        for r in finer:
            if not refuted(r):
                break
            measured = r
    else:
        for r in coarser:
            if refuted(r):
                measured = r
                break
    why = f"at the declared size {res.declared:.0e}: " + whys[res.declared]
    return ResolutionResult(res.declared, measured, res.quantity, sorted(ladder, reverse=True), why)
