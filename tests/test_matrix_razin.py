"""Razin & Cohen's 2 x 2 completion: where round-off breaks det > 0 (theorems/families/matrix/deep.py)."""
from __future__ import annotations

import time

import numpy as np

from theorems.families.matrix.common import balanced_start
from theorems.families.matrix.deep import (DET_TIE, LOSS_FLOOR, RHO_MIN, TARGETS, check_completion, det_spread,
                                           factor_ratio, razin_guard)
from theorems.registry import get

CLAIM = "matrix-completion-not-nuclear-norm"
AUDITOR_W0 = np.array([[1e-3, 2e-4], [-1e-4, 1e-3]])


def test_balanced_start_factors_agree_on_det():
    fs = balanced_start(AUDITOR_W0, 3, 0)
    assert det_spread(fs) < 1e-12
    assert razin_guard(fs) > 0
    # rho = (sigma_2 / sigma_1)^(1/N) of W for balanced factors, over ||W_j||_F / sigma_1(W_j) = sqrt(1 + rho^2)
    s = np.linalg.svd(AUDITOR_W0, compute_uv=False)
    r = (s[1] / s[0]) ** (1 / 3)
    assert abs(factor_ratio(fs) - r / np.sqrt(1 + r * r)) < 1e-12


def test_loss_min_below_the_breakdown_level_is_refused():
    claim = get(CLAIM)
    for lm in (1e-14, 1e-30):
        misses = claim.precondition_misses({"W0": AUDITOR_W0, "depth": 3, "seed": 0, "targets": TARGETS.copy(),
                                            "loss_min": lm})
        assert misses and "round-off breaks det > 0" in misses[0]
    assert not claim.precondition_misses({"W0": AUDITOR_W0, "depth": 3, "seed": 0, "targets": TARGETS.copy(),
                                          "loss_min": LOSS_FLOOR})


def test_auditor_start_stops_at_the_breakdown_quickly():
    """The auditor's start ran 79 s (loss_min 1e-14) to the det flip; at the floor it now stops where the factors'
    determinants disagree by DET_TIE (measured: L = 4.1e-9, 3.5 s), and reports the level."""
    t0 = time.perf_counter()
    ev = check_completion({"W0": AUDITOR_W0, "depth": 3, "seed": 0, "targets": TARGETS.copy(), "loss_min": LOSS_FLOOR},
                          {"kind": "bound", "factor": 1.0})
    assert time.perf_counter() - t0 < 30
    d = ev.details
    assert d["det_breakdown_loss"] is not None and LOSS_FLOOR < d["det_breakdown_loss"] < 1e-7
    assert d["det_spread_end"] <= DET_TIE * (1 + 1e-6) and d["factor_ratio_end"] >= RHO_MIN
    assert d["det_breakdown_predicted_loss"] > 0
    assert ev.gap <= ev.tolerance  # the corrected bound holds on every certified point


def test_published_start_reports_a_predicted_breakdown_below_its_stop():
    ev = check_completion({"W0": 1e-2 * np.array([[1.0, 0.3], [-0.2, 0.8]]), "depth": 3, "seed": 0,
                           "targets": TARGETS.copy(), "loss_min": 1e-6}, {"kind": "bound", "factor": 1.0})
    d = ev.details
    assert d["det_breakdown_loss"] is None
    assert 1e-10 < d["det_breakdown_predicted_loss"] < 1e-6  # measured 9.4e-10 (rho ~ 10 L, RHO_MIN = 1e-8)
