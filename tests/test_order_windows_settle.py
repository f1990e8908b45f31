"""Measured terms of an order check are capped at its resolution; the checks move their window until
they fit under it (thorough-profile instances that were inconclusive once the cap was applied).

* matrix-sensing-commuting-nuclear-norm: with reduced costs spread out, the local slope of the
  distance over alpha = 1e-2..1e-6 still drifted by 0.115 (+ 3 SE 0.039 = 0.154 > the resolution 0.1);
  the window moved a decade at a time settles at 1e-5..1e-9 (drift 0.050, SE 0.006).
* relu-spline-error-corrected: a target whose local slope still changed by 0.11 between N = 65 and
  129 knots; refined to finer levels it changes by 0.013.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from theorems.families.matrix.commuting import ORDER_RESOLUTION, check_nuclear_norm, nuclear_norm_limit, predicted_order
from theorems.families.neurons.spline_error import check as check_spline_error, corrected_order

DATA = Path(__file__).parent / "data"


def test_nuclear_norm_order_window_moves_until_its_measured_terms_fit_the_resolution():
    d = np.load(DATA / "nuclear_norm_drifting_window.npz")
    inst = {k: d[k] for k in d.files}
    ev = check_nuclear_norm(inst, {"limit": nuclear_norm_limit, "order": predicted_order})
    assert ev.converged, ev.convergence_note
    assert sum(ev.run_budget.values()) <= ORDER_RESOLUTION
    assert ev.details["alphas"][0] < 1e-2  # the window moved
    assert ev.gap <= ev.tolerance


SPLINE = {"a": -0.8507158879233419, "b": 0.14928411207665815,
          "poly": np.array([-2.2245826774604995e-264, 0.30174051865610685, 0.0, 0.0]),
          "sines": np.array([0.5686317684381486, 1e-14, 0.6521795685141787]), "exp_amp": 1.2688042188728406,
          "exp_rate": 0.5686317684381486, "levels": np.array([9, 17, 33, 65, 129])}


def test_spline_error_levels_refine_until_the_local_slope_settles():
    ev = check_spline_error(SPLINE, {"order": corrected_order})
    assert ev.converged, ev.convergence_note
    assert ev.run_budget["last change of the local slope"] <= 0.05
    assert len(ev.details["h"]) > 5  # refined beyond the instance's 129 knots
    assert ev.gap <= ev.tolerance
