"""pytest plugin (entry point ``pytest11``): this suite's profiles and claims in any pytest run.

Installed with the package, so a research repository that installs ``implicit-bias-claims`` (and
its own claim package, registered through the ``implicit_bias.claims`` entry point) gets:

* ``--claims-profile quick|thorough`` (or ``CLAIMS_PROFILE``) and a ``claims_profile`` fixture;
* ``--claims 'PATTERN,PATTERN'`` collects every registered claim whose id matches a glob
  pattern as a test item (``pytest --claims 'my-*'`` runs the group's own claims,
  ``pytest --claims '*'`` everything, this suite's included), judged exactly as this suite's own
  driver judges them: good standing (verdict, declared resolution, audit, calibrations) and every
  mutant caught. Items are named ``claims::<id>`` and spread over pytest-xdist workers like any test.
"""
from __future__ import annotations

import fnmatch
import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("claims", "implicit-bias claims")
    group.addoption("--claims-profile", default=None, choices=("quick", "thorough"),
                    help="Hypothesis profile for the claim checks (default: $CLAIMS_PROFILE or quick)")
    group.addoption("--claims", default=None, metavar="PATTERNS",
                    help="also collect the registered claims whose ids match these comma-separated glob patterns")


def pytest_configure(config):
    p = config.getoption("--claims-profile")
    if p:
        os.environ["CLAIMS_PROFILE"] = p  # inherited by xdist workers started after this
    config.addinivalue_line("markers", "claim: runs one registered claim end to end (dynamics + certified reference + mutants)")


@pytest.fixture(scope="session")
def claims_profile():
    from theorems.profiles import current_profile

    return current_profile()


class ClaimFailure(Exception):
    pass


class ClaimItem(pytest.Item):
    def __init__(self, *, claim_id: str, **kw):
        super().__init__(**kw)
        self.claim_id = claim_id
        self.add_marker("claim")

    def runtest(self):
        from theorems import registry
        from theorems.engine import run_claim
        from theorems.profiles import current_profile

        claim = registry.get(self.claim_id)
        problems = judge(claim, run_claim(claim, current_profile()))
        if problems:
            raise ClaimFailure("; ".join(problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimFailure):
            return f"{self.claim_id}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"claims::{self.claim_id}"


def judge(claim, res) -> list[str]:
    """Why a claim result is not acceptable (empty when it is in good standing with every mutant
    caught): the same judgement as this suite's own test driver."""
    out = []
    if res.verdict != claim.good_verdict:
        out.append(f"{res.verdict.value}, expected {claim.good_verdict.value}: {res.note}")
    out += [f"audit: {a}" for a in res.audit]
    out += [f"{'calibration' if m.calibration else 'mutant'} {m.id} was {m.verdict}, must be {m.must}: {m.why}"
            for m in res.mutants if not m.caught]
    if res.resolution is not None and not res.resolution.met:
        out.append(f"declared resolution {res.resolution.declared:.0e} not met (measured {res.resolution.measured}): "
                   f"{res.resolution.why}")
    return out


def pytest_collection_modifyitems(session, config, items):
    opt = config.getoption("--claims")
    if not opt:
        return
    patterns = [p.strip() for p in opt.split(",") if p.strip()]
    from theorems import registry

    ids = [i for i in registry.ids() if any(fnmatch.fnmatchcase(i, p) for p in patterns)]
    if not ids:
        raise pytest.UsageError(f"--claims {opt}: no registered claim matches")
    for cid in ids:
        items.append(ClaimItem.from_parent(session, name=f"claims::{cid}", claim_id=cid))
