"""Run a claim: Hypothesis searches for a counterexample, mutants are run on the same instances.

The property Hypothesis tests is "the statement holds on this instance" (outcome is not
``fail``). A failing instance is shrunk by Hypothesis, saved (``.claims/counterexamples/ID.npz``)
and replayable with ``claims replay ID``. The same search serves both kinds of claims: for
``expected="holds"`` a counterexample is a defect, for ``expected="fails"`` it is the point.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import hypothesis
from hypothesis import given

from .contract import Claim, Evidence, Figure, Instance, Mutant, Verdict
from .instances import save_instance
from .profiles import profile_settings


@dataclass
class Record:
    instance: Instance
    evidence: Evidence
    shrinking: bool  # evaluated while Hypothesis was shrinking a counterexample


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

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ClaimResult:
    claim_id: str
    verdict: Verdict
    expected: str
    profile: str
    records: list[Record]
    counterexample: Record | None
    counterexample_path: str | None
    mutants: list[MutantResult]
    seconds: float
    note: str = ""
    figures: list[Figure] = field(default_factory=list)

    @property
    def in_good_standing(self) -> bool:
        good = Verdict.CONFIRMED if self.expected == "holds" else Verdict.REFUTED
        return self.verdict == good

    @property
    def evaluated(self) -> list[Record]:
        return [r for r in self.records if r.evidence.outcome != "precondition"]

    @property
    def generated(self) -> list[Record]:
        return [r for r in self.records if not r.shrinking]

    @property
    def worst(self) -> Record | None:
        """The evaluated instance with the largest gap/tolerance ratio (the counterexample if any)."""
        if self.counterexample is not None:
            return self.counterexample
        best, worst = None, -math.inf
        for r in self.evaluated:
            e = r.evidence
            ratio = _ratio(e)
            if ratio is not None and ratio > worst:
                best, worst = r, ratio
        return best

    @property
    def mutants_caught(self) -> int:
        return sum(m.caught for m in self.mutants)


def _ratio(e: Evidence) -> float | None:
    if not (math.isfinite(e.gap) and math.isfinite(e.tolerance)) or e.tolerance <= 0:
        return None
    return e.gap / e.tolerance


class _Counterexample(Exception):
    def __init__(self, instance: Instance, evidence: Evidence):
        super().__init__(evidence.why())
        self.instance = instance
        self.evidence = evidence


def counterexample_dir() -> Path:
    return Path(os.environ.get("CLAIMS_HOME", ".claims")) / "counterexamples"


def search(claim: Claim, statement: dict | None, profile: str) -> tuple[list[Record], Record | None]:
    """Let Hypothesis look for an instance on which ``statement`` fails the claim's check."""
    records: list[Record] = []
    found: list[bool] = [False]

    @hypothesis.settings(profile_settings(claim, profile))
    @given(claim.strategy())
    def prop(instance):
        ev = safe_evaluate(claim, instance, statement)
        records.append(Record(instance, ev, shrinking=found[0]))
        if ev.outcome == "fail":
            found[0] = True
            raise _Counterexample(instance, ev)

    try:
        prop()
    except _Counterexample as ce:
        return records, Record(ce.instance, ce.evidence, shrinking=True)
    return records, None


def safe_evaluate(claim: Claim, instance: Instance, statement: dict | None) -> Evidence:
    """``claim.evaluate``, with a crash of the dynamics or the solver turned into an inconclusive
    outcome that names the error (never a pass, and the claim cannot be confirmed)."""
    try:
        return claim.evaluate(instance, statement)
    except Exception as e:  # noqa: BLE001 - reported, not swallowed
        msg = str(e).splitlines()[0] if str(e) else ""
        return Evidence(gap=math.nan, tolerance=math.nan, tolerance_reason="check raised",
                        converged=False, convergence_note=f"check raised {type(e).__name__}: {msg}"[:300])


def verdict_of(claim: Claim, records: list[Record], counterexample: Record | None) -> tuple[Verdict, str]:
    if counterexample is not None:
        return Verdict.REFUTED, "counterexample: " + counterexample.evidence.why()
    gen = [r for r in records if not r.shrinking]
    misses = [r for r in gen if r.evidence.outcome == "precondition"]
    evaluated = [r for r in gen if r.evidence.outcome != "precondition"]
    inconclusive = [r for r in evaluated if r.evidence.outcome == "inconclusive"]
    if not evaluated:
        return Verdict.INCONCLUSIVE, "no instance satisfied the assumptions"
    if gen and len(misses) / len(gen) > claim.max_precondition_miss:
        return Verdict.INCONCLUSIVE, f"{len(misses)}/{len(gen)} instances missed the preconditions"
    if inconclusive:
        return Verdict.INCONCLUSIVE, f"{len(inconclusive)}/{len(evaluated)} instances inconclusive; first: " + inconclusive[0].evidence.why()
    return Verdict.CONFIRMED, f"all {len(evaluated)} instances within tolerance, certificates valid"


def run_mutant(claim: Claim, mutant: Mutant, instances: list[Instance], reserve: list[Instance] = ()) -> MutantResult:
    """Evaluate a mutant statement with the claim's check on the given instances.

    A mutant that must be refuted and survives them is tried on the ``reserve`` instances (more of
    the claim's own generated instances) until one refutes it, as a Hypothesis search for a
    counterexample would: a wrong statement can coincide with the right one on some instances
    (e.g. a depth-D formula at D = 2)."""
    evs = [safe_evaluate(claim, inst, dict(mutant.overrides)) for inst in instances]
    if mutant.must == Verdict.REFUTED:
        for inst in reserve:
            if any(e.outcome == "fail" for e in evs):
                break
            evs.append(safe_evaluate(claim, inst, dict(mutant.overrides)))
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
        caught = verdict == Verdict.REFUTED
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
        why=shown.why() if shown is not None else "no instance evaluated",
    )


def mutant_instances(claim: Claim, records: list[Record], counterexample: Record | None, limit: int) -> list[Instance]:
    """The instances mutants are judged on: the counterexample first (if any), then generated ones."""
    out: list[Instance] = []
    if counterexample is not None:
        out.append(counterexample.instance)
    for r in records:
        if len(out) >= limit:
            break
        if not r.shrinking and r.evidence.outcome != "precondition":
            out.append(r.instance)
    return out


def run_claim(
    claim: Claim,
    profile: str = "quick",
    with_mutants: bool = True,
    save_counterexample: bool = True,
    progress: Callable[[str], Any] | None = None,
) -> ClaimResult:
    t0 = time.perf_counter()
    if progress:
        progress(f"{claim.id}: searching ({profile})")
    records, ce = search(claim, None, profile)
    showcase = None
    if claim.showcase is not None:
        inst = claim.showcase()
        showcase = Record(inst, safe_evaluate(claim, inst, None), shrinking=False)
        records.append(showcase)
        if ce is None and showcase.evidence.outcome == "fail":
            ce = Record(inst, showcase.evidence, shrinking=True)
    verdict, note = verdict_of(claim, records, ce)
    path = None
    if ce is not None and save_counterexample:
        d = counterexample_dir()
        d.mkdir(parents=True, exist_ok=True)
        path = str(save_instance(ce.instance, d / f"{claim.id}.npz"))
    mutants: list[MutantResult] = []
    if with_mutants:
        k = claim.mutant_instances
        pool = mutant_instances(claim, records, ce, 4 * k)
        for m in claim.mutants:
            if progress:
                progress(f"{claim.id}: mutant {m.id}")
            mutants.append(run_mutant(claim, m, pool[:k], pool[k:]))
    figs = list(showcase.evidence.figures) if showcase is not None and showcase.evidence.figures \
        else _representative_figures(records, ce)
    return ClaimResult(
        claim_id=claim.id,
        verdict=verdict,
        expected=claim.expected,
        profile=profile,
        records=records,
        counterexample=ce,
        counterexample_path=path,
        mutants=mutants,
        seconds=time.perf_counter() - t0,
        note=note,
        figures=figs,
    )


def _representative_figures(records: list[Record], ce: Record | None) -> list[Figure]:
    if ce is not None and ce.evidence.figures:
        return list(ce.evidence.figures)
    for r in records:
        if r.evidence.figures and r.evidence.outcome in ("pass", "fail"):
            return list(r.evidence.figures)
    for r in records:
        if r.evidence.figures:
            return list(r.evidence.figures)
    return []


__all__ = ["ClaimResult", "MutantResult", "Record", "run_claim", "run_mutant", "search", "verdict_of"]
