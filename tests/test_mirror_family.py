"""Family-level tests of the mirror-descent claims: the engine's independent certificates reject a
wrong reference handed by a check, memoized runs make re-evaluations free, the run budget is capped,
bad instance files are one-line errors, and the figure's companion series no longer warns."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from theorems import cli, registry
from theorems.families.mirror_descent import common, projection
from theorems.resolution import moved
from theorems.strategies.matrices import conditioned_matrix
from theorems.strategies.mirror import basis_pursuit_problem

FAMILY = [c for c in registry.all_claims() if c.family == "mirror-descent"]


def _md_instance(k=1, seed=0, positive_w0=False):
    rng = np.random.default_rng(seed)
    X = conditioned_matrix(rng, 2, 6, 3.0, 1.0)
    if k == 0:
        y, w0 = X @ np.exp(0.5 * rng.standard_normal(6)), np.exp(0.5 * rng.standard_normal(6))
    else:
        y, w0 = rng.standard_normal(2), rng.standard_normal(6)
    if positive_w0:
        w0 = np.abs(w0) + 0.1
    return {"X": X, "y": y, "w0": w0, "potential": k, "p": 1.5, "b": 0.7, "eta_frac": 0.5}


def _bp_instance(seed=0, alpha=0.3):
    X, y, _, _ = basis_pursuit_problem(np.random.default_rng(seed), 2, 3, 0.5, 0.6)
    return {"X": X, "y": y, "alpha": alpha}


def _instance_for(claim):
    if claim.id == "mirror-descent-bregman-projection":
        return _md_instance(2)
    if claim.id in ("square-reparam-l1-limit", "square-reparam-large-alpha-l2"):
        inst = _bp_instance()
        inst.pop("alpha")
        return inst
    return _bp_instance()


def test_every_claim_declares_resolution_verify_and_good_family_shape():
    assert len(FAMILY) == 7
    for c in FAMILY:
        assert c.resolution is not None and c.verify is not None, c.id
        assert c.verify.__module__ == "solvers.certify.bregman", c.id
    exact = [c for c in FAMILY if c.kind in ("limit", "identity")]
    assert all(c.resolution.declared <= 1e-8 for c in exact)
    assert all(c.resolution.declared <= 0.2 for c in FAMILY if c.kind == "asymptotic")


@pytest.mark.parametrize("claim", [c for c in FAMILY if c.expected == "holds"], ids=lambda c: c.id)
def test_a_wrong_reference_is_caught_by_the_independent_certificate(claim):
    """The check hands a reference 1e-6 off (as a solver bug would): the engine's verify rejects it,
    the instance is inconclusive -- never confirmed -- although the claim's own gap may pass."""
    inst = _instance_for(claim)
    good = claim.evaluate(dict(inst))
    assert good.outcome == "pass", good.why()

    def buggy(inst, stmt):
        ev = claim.check(inst, stmt)
        ev.reference = {k: (moved(v, 1e-6, k) if isinstance(v, np.ndarray) and v.dtype.kind == "f" and k != "t" else v)
                        for k, v in ev.reference.items()}
        return ev

    bad = claim.with_(check=buggy).evaluate(dict(inst))
    assert bad.outcome == "inconclusive" and "independent" in bad.why(), bad.why()


@pytest.mark.parametrize("claim", FAMILY, ids=lambda c: c.id)
def test_run_budget_is_capped_at_the_declared_resolution(claim):
    inst = _instance_for(claim)
    stmt = dict(claim.control.overrides) if claim.expected == "fails" else None
    ev = claim.evaluate(dict(inst), stmt, certify=False)
    assert ev.run_budget and sum(ev.run_budget.values()) <= claim.resolution.budget_cap

    def swollen(inst, stmt):
        ev = claim.check(inst, stmt)
        ev.run_budget = {**ev.run_budget, "a defect": 2.0 * claim.resolution.budget_cap}
        ev.tolerance += 2.0 * claim.resolution.budget_cap
        return ev

    bad = claim.with_(check=swollen).evaluate(dict(inst), stmt, certify=False)
    assert bad.outcome == "inconclusive" and "exceeds what this claim resolves" in bad.convergence_note


def test_mutants_and_resolution_rungs_reuse_the_memoized_run():
    claim = registry.get("mirror-descent-bregman-projection")
    inst = _md_instance(0)
    claim.evaluate(dict(inst))
    runs, refs = common.mirror_run.cache_info()["size"], common.bregman_reference.cache_info()["size"]
    for r in (1e-3, 1e-8, 1e-12):
        claim.evaluate(dict(inst), dict(claim.resolution.mutate(claim.params, r)), certify=False)
    for m in claim.mutants:
        claim.evaluate(dict(inst), dict(m.overrides), certify=False)
    assert common.mirror_run.cache_info()["size"] == runs  # no new dynamics
    assert common.bregman_reference.cache_info()["size"] <= refs + 1  # only the wrong potential's projection


def test_companion_series_of_a_positive_start_with_unreachable_y_does_not_warn():
    """The entropy companion of the figure used the instance's own (y, w0) whenever w0 > 0, but y need
    not be reachable by a positive w: the projection did not exist and log(0) warned. It now runs
    on data valid for the entropy by construction."""
    inst = None
    for seed in range(200):
        cand = _md_instance(1, seed, positive_w0=True)
        if not common.positively_reachable(cand["X"], cand["y"]):
            inst = cand
            break
    assert inst is not None
    claim = registry.get("mirror-descent-bregman-projection")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = claim.evaluate(inst)
    assert ev.outcome == "pass", ev.why()
    names = [s.label for s in ev.figures[0].series]
    assert any(n.startswith("negative-entropy") for n in names)
    entropy = next(s for s in ev.figures[0].series if s.label.startswith("negative-entropy"))
    assert min(entropy.y) < 1e-10  # the companion converged to its own (existing) projection


@pytest.mark.parametrize("bad,words", [
    ({"potential": 0, "w0": -np.ones(6)}, ["negative entropy needs w0 > 0"]),
    ({"potential": 1, "p": 2.5}, ["p = 2.5 not in (1, 2)"]),
    ({"potential": 2, "b": -1.0}, ["not positive"]),
    ({"potential": 3}, ["potential index 3"]),
    ({"eta_frac": 1.5}, ["eta_frac not in (0, 1)"]),
])
def test_bad_mirror_descent_instances_are_one_line_errors(tmp_path, capsys, bad, words):
    inst = {**_md_instance(1), **bad}
    f = tmp_path / "inst.json"
    f.write_text(json.dumps({k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in inst.items()}))
    assert cli.main(["check", "mirror-descent-bregman-projection", "--instance", str(f)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("claims: error:"), err
    assert all(w in err[0] for w in words), err[0]


def test_unreachable_targets_are_one_line_errors(tmp_path, capsys):
    X = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    f = tmp_path / "inst.json"
    f.write_text(json.dumps({"X": X.tolist(), "y": [1.0, -1.0], "alpha": 0.5}))
    assert cli.main(["check", "square-reparam-kl-projection", "--instance", str(f)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "not reachable by a strictly positive u" in err[0], err


def test_default_fields_make_a_minimal_instance_file_work(tmp_path, capsys):
    """p, b and eta_frac have documented defaults: a file with X, y, w0 and the potential suffices."""
    inst = _md_instance(2)
    f = tmp_path / "inst.json"
    f.write_text(json.dumps({"X": inst["X"].tolist(), "y": inst["y"].tolist(), "w0": inst["w0"].tolist(), "potential": 2}))
    assert cli.main(["check", "mirror-descent-bregman-projection", "--instance", str(f)]) == 0
    assert "pass" in capsys.readouterr().out
    assert projection.MD_FIELDS[-1].default == 0.5
