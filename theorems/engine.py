"""Run a claim: Hypothesis searches for a counterexample, mutants are run on the same instances,
and the check's resolution is measured.

The property Hypothesis tests is "the statement holds on this instance" (outcome is not
``fail``). The search is *targeted* (``hypothesis.target`` on log10(gap/tolerance)), so it climbs
toward counterexamples; the largest ratio seen is reported. A failing instance is shrunk by
Hypothesis for at most :data:`SHRINK_SECONDS` of the profile (the best counterexample so far is
kept when the budget ends, and the report says so), saved (``.claims/counterexamples/ID.npz``)
and replayable with ``claims replay ID``. The same search serves both kinds of judged claims:
for ``expected="holds"`` a counterexample is a defect, for ``expected="fails"`` it is the point.

An ``expected="open"`` claim is measured, not judged: the search draws instances (targeted on the
gap, so it hunts for the worst case), records every gap, saves the worst instance, and runs the
claim's calibration controls (a known-true case near 0, a known-false case far from it).

After the search (:func:`run_claim`): mutants on the mutant instances (:mod:`theorems.mutation`), then the resolution ladder
(:func:`theorems.mutation.run_resolution`), then the static audit (:mod:`theorems.audit`). A claim is in good
standing when its verdict is the expected one, its declared resolution is met and the audit is
clean (and, for an open claim, its calibrations behave).
"""
from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import hypothesis
from hypothesis import given

from .audit import audit
from .contract import Claim, Evidence, Figure, Instance, Mutant, Verdict
from .instances import save_instance
from .memo import key_of
from .profiles import current_profile, profile_settings
from .evaluation import ratio as _ratio
from .evaluation import safe_evaluate, stable_seed
from .mutation import MutantResult, ResolutionResult, draw_instances, run_mutant, run_resolution

SHRINK_SECONDS = {"quick": 30.0, "thorough": 300.0}
# an expected-fails claim's counterexample is the point, not a defect to minimize: a short budget
FAILS_SHRINK_SECONDS = {"quick": 5.0, "thorough": 60.0}


@dataclass
class Record:
    instance: Instance
    evidence: Evidence
    shrinking: bool  # evaluated while Hypothesis was shrinking a counterexample


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
    resolution: ResolutionResult | None = None
    audit: list[str] = field(default_factory=list)
    max_ratio: float | None = None  # largest gap/tolerance the search saw
    shrink_note: str = ""
    worst_path: str | None = None  # open claims: the saved worst instance
    inconclusive_path: str | None = None  # the first inconclusive instance, saved for replay

    @property
    def first_inconclusive(self) -> Record | None:
        return next((r for r in self.generated if r.evidence.outcome == "inconclusive"), None)

    @property
    def in_good_standing(self) -> bool:
        if self.audit:
            return False
        if self.expected == "open":
            return self.verdict == Verdict.MEASURED and all(m.caught for m in self.mutants)
        good = Verdict.CONFIRMED if self.expected == "holds" else Verdict.REFUTED
        return self.verdict == good and (self.resolution is None or self.resolution.met)

    @property
    def evaluated(self) -> list[Record]:
        return [r for r in self.records if r.evidence.outcome != "precondition"]

    @property
    def generated(self) -> list[Record]:
        return [r for r in self.records if not r.shrinking]

    @property
    def worst(self) -> Record | None:
        """The evaluated instance with the largest gap/tolerance ratio (the counterexample if any;
        for an open claim, the largest gap)."""
        if self.counterexample is not None:
            return self.counterexample
        key = (lambda e: e.gap if math.isfinite(e.gap) else None) if self.expected == "open" else _ratio
        best, worst = None, -math.inf
        for r in self.evaluated:
            v = key(r.evidence)
            if v is not None and v > worst:
                best, worst = r, v
        return best

    @property
    def mutants_caught(self) -> int:
        return sum(m.caught for m in self.mutants)

    def gap_summary(self) -> dict[str, float] | None:
        """min / median / max of the measured gaps over the generated instances (open claims)."""
        gaps = [r.evidence.gap for r in self.generated
                if r.evidence.outcome in ("pass", "fail") and math.isfinite(r.evidence.gap)]
        if not gaps:
            return None
        return {"n": len(gaps), "min": min(gaps), "median": statistics.median(gaps), "max": max(gaps)}


class _Counterexample(Exception):
    def __init__(self, instance: Instance, evidence: Evidence):
        super().__init__(evidence.why())
        self.instance = instance
        self.evidence = evidence


def counterexample_dir() -> Path:
    return Path(os.environ.get("CLAIMS_HOME", ".claims")) / "counterexamples"


@dataclass
class SearchResult:
    records: list[Record]
    counterexample: Record | None
    max_ratio: float | None
    shrink_note: str


def search(claim: Claim, statement: dict | None, profile: str, *, seed: int | None = None,
           max_examples: int | None = None) -> SearchResult:
    """Let Hypothesis look for an instance on which ``statement`` fails the claim's check.

    ``seed`` and ``max_examples`` run one independently seeded chunk of a split search (see
    :mod:`theorems.scaleout`)."""
    profile = current_profile(profile)
    records: list[Record] = []
    st: dict[str, Any] = {"found_at": None, "failing": {}, "max_ratio": None, "skipped": 0}
    cap = (FAILS_SHRINK_SECONDS if claim.expected == "fails" else SHRINK_SECONDS)[profile]
    measuring = claim.expected == "open"

    settings = profile_settings(claim, profile)
    if max_examples is not None:
        settings = hypothesis.settings(settings, max_examples=max_examples)
    if seed is None and settings.derandomize:
        # reproducible draws that depend on the claim's id and strategy only (derandomize would
        # seed from this function's source, so any edit of the engine would move every instance)
        seed = stable_seed(claim.id)
    if seed is not None:
        settings = hypothesis.settings(settings, derandomize=False)

    @settings
    @given(claim.strategy())
    def prop(instance):
        if st["found_at"] is not None and time.perf_counter() - st["found_at"] > cap:
            hit = st["failing"].get(key_of(instance))
            if hit is not None:
                raise _Counterexample(*hit)
            st["skipped"] += 1  # shrinking budget spent: candidates are no longer evaluated
            return
        ev = safe_evaluate(claim, instance, statement)
        records.append(Record(instance, ev, shrinking=st["found_at"] is not None))
        value = (ev.gap if measuring else _ratio(ev))
        if value is not None and math.isfinite(value) and value > 0:
            hypothesis.target(math.log10(value), label="log10(gap)" if measuring else "log10(gap/tolerance)")
            if not measuring and ev.outcome in ("pass", "fail"):
                st["max_ratio"] = value if st["max_ratio"] is None else max(st["max_ratio"], value)
        if not measuring and ev.outcome == "fail":
            if st["found_at"] is None:
                st["found_at"] = time.perf_counter()
            st["failing"][key_of(instance)] = (instance, ev)
            raise _Counterexample(instance, ev)

    if seed is not None:
        prop = hypothesis.seed(seed)(prop)
    ce = None
    try:
        prop()
    except _Counterexample as e:
        ce = Record(e.instance, e.evidence, shrinking=True)
    note = ""
    if st["skipped"]:
        note = (f"shrinking stopped after its {cap:.0f} s budget ({profile} profile); the smallest counterexample "
                f"found so far is kept")
    return SearchResult(records, ce, st["max_ratio"], note)


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
    if claim.expected == "open":
        gaps = sorted(r.evidence.gap for r in evaluated)
        return Verdict.MEASURED, (f"measured on {len(evaluated)} instances: gap min {gaps[0]:.2e}, median "
                                  f"{statistics.median(gaps):.2e}, max {gaps[-1]:.2e} (not judged: an open statement)")
    return Verdict.CONFIRMED, f"all {len(evaluated)} instances within tolerance, certificates valid"


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


def finish_claim(claim: Claim, profile: str, found: SearchResult, t0: float, with_mutants: bool = True,
                 save_counterexample: bool = True, progress: Callable[[str], Any] | None = None) -> ClaimResult:
    """Everything after the search: showcase, verdict, saved counterexample, mutants, resolution,
    audit (shared by :func:`run_claim` and the merge of a split search)."""
    records, ce = found.records, found.counterexample
    showcase = None
    if claim.showcase is not None:
        inst = claim.showcase()
        showcase = Record(inst, safe_evaluate(claim, inst, None), shrinking=False)
        records.append(showcase)
        if ce is None and claim.expected != "open" and showcase.evidence.outcome == "fail":
            ce = Record(inst, showcase.evidence, shrinking=True)
    verdict, note = verdict_of(claim, records, ce)
    path = worst_path = None
    if ce is not None and save_counterexample:
        d = counterexample_dir()
        d.mkdir(parents=True, exist_ok=True)
        path = str(save_instance(ce.instance, d / f"{claim.id}.npz"))
    mutants: list[MutantResult] = []
    resolution = None
    if with_mutants:
        k = claim.mutant_instances
        pool = mutant_instances(claim, records, ce, 4 * k)
        for m in claim.mutants:
            if progress:
                progress(f"{claim.id}: {'calibration' if claim.expected == 'open' else 'mutant'} {m.id}")
            if m.strategy is not None:
                insts = draw_instances(claim, m.strategy, k, profile)
                reserve = (lambda m=m: draw_instances(claim, m.strategy, 2 * k, profile, salt="/reserve")[k:])
            else:
                insts, reserve = pool[:k], pool[k:]
            mutants.append(run_mutant(claim, m, insts, reserve, calibration=claim.expected == "open"))
        if claim.resolution is not None and claim.expected != "open":
            if progress:
                progress(f"{claim.id}: resolution ladder")
            resolution = run_resolution(claim, pool[:k])
    figs = list(showcase.evidence.figures) if showcase is not None and showcase.evidence.figures \
        else _representative_figures(records, ce)
    result = ClaimResult(
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
        resolution=resolution,
        audit=audit(claim),
        max_ratio=found.max_ratio,
        shrink_note=found.shrink_note,
    )
    if save_counterexample and result.first_inconclusive is not None:
        # a thorough search draws at random: without the instance an inconclusive run could not
        # be investigated (claims replay ID --file PATH)
        d = counterexample_dir().parent / "inconclusive"
        d.mkdir(parents=True, exist_ok=True)
        result.inconclusive_path = str(save_instance(result.first_inconclusive.instance, d / f"{claim.id}.npz"))
    if claim.expected == "open" and save_counterexample and result.worst is not None:
        d = counterexample_dir()
        d.mkdir(parents=True, exist_ok=True)
        result.worst_path = str(save_instance(result.worst.instance, d / f"{claim.id}.npz"))
    return result


def run_claim(
    claim: Claim,
    profile: str = "quick",
    with_mutants: bool = True,
    save_counterexample: bool = True,
    progress: Callable[[str], Any] | None = None,
) -> ClaimResult:
    t0 = time.perf_counter()
    profile = current_profile(profile)
    if progress:
        progress(f"{claim.id}: {'measuring' if claim.expected == 'open' else 'searching'} ({profile})")
    found = search(claim, None, profile)
    return finish_claim(claim, profile, found, t0, with_mutants, save_counterexample, progress)


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


__all__ = ["ClaimResult", "MutantResult", "Record", "ResolutionResult", "SearchResult", "draw_instances",
           "finish_claim", "run_claim", "run_mutant", "run_resolution", "safe_evaluate", "search", "stable_seed",
           "verdict_of"]
