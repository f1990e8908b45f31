"""The generic driver: every registered claim, run end to end, one test each (parallel under xdist).

A claim passes when it is in good standing: ``holds`` -> confirmed, ``fails`` -> refuted, ``open``
-> measured with both calibrations behaving; its declared resolution met (the wrong statement of
the declared size refuted by the same check); its audit clean (an independent certificate that
shares no code with the solver or the model); and every one of its mutants caught by the same
check (refuted, or for controls of an expected-fails claim, confirmed). The failure message says
which and why.
"""
from __future__ import annotations

import pytest

from theorems import registry
from theorems.engine import run_claim


@pytest.mark.claim
@pytest.mark.parametrize("claim_id", registry.ids())
def test_claim(claim_id, claims_profile):
    claim = registry.get(claim_id)
    res = run_claim(claim, claims_profile)
    want = claim.good_verdict.value
    assert res.verdict.value == want, f"{claim_id}: {res.verdict.value}, expected {want}: {res.note}"
    assert not res.audit, f"{claim_id}: audit: " + "; ".join(res.audit)
    missed = [m for m in res.mutants if not m.caught]
    assert not missed, "; ".join(f"{'calibration' if m.calibration else 'mutant'} {m.id} ({m.description}) was "
                                 f"{m.verdict}, must be {m.must}: {m.why}" for m in missed)
    if res.resolution is not None:
        r = res.resolution
        assert r.met, (f"{claim_id}: declared resolution {r.declared:.0e} not met (measured {r.measured}): "
                       f"the wrong statement of that size survives: {r.why}")
    for r in res.evaluated:
        assert r.evidence.tolerance_reason.strip(), f"{claim_id}: an evidence without a tolerance reason"
    if claim.expected == "holds" and claim.kind != "identity":
        # a limit, rate or asymptotic claim compares dynamics with a reference solution, which must be
        # certified; an identity claim may compare a measurement with an exact closed form
        for r in res.evaluated:
            assert r.evidence.certificates, f"{claim_id}: confirmed without any reference certificate"
    assert res.in_good_standing
