"""The Theorem 5 sweep with a random start (f0 != 0): the prediction f0 + G(y - f0(x)) built from
the cardinal interpolants equals the spline solved directly with the solver's f0 branch, and the
claim's check (with its independent certificate of every cardinal spline) passes."""
from functools import partial

import numpy as np

from solvers.curvature_penalty import zeta_gaussian
from solvers.spline import curvature_spline
from theorems import registry
from theorems.families.relu import predictions, spline_limit, train_sweep

INST = {"x": np.array([-1.0, -0.45, 0.05, 0.6, 1.0]), "y": np.array([-1.5, -0.2, 0.9, 0.4, 2.2]), "sw": 1.0, "sb": 0.6,
        "start": 2, "seed": 3, "widths": np.array([256, 1024, 4096, 16384]), "n_seeds": 3}


def test_random_start_prediction_is_the_spline_from_f0():
    runs = train_sweep(INST, "unpenalized")
    pred, cert, ref = predictions(spline_limit, INST, runs)
    assert cert.valid and len(ref["splines"]) == 1 + INST["x"].size  # g(y) and the cardinal splines
    grid = np.linspace(-1.0, 1.0, 201)
    f0 = lambda t: np.interp(t, grid, runs["f0_grid"][0])  # noqa: E731 - the net's start on the grid (exact at knots)
    g, _ = curvature_spline(INST["x"], INST["y"], partial(zeta_gaussian, sw=1.0, sb=0.6), f0=f0, certify=False)
    assert np.max(np.abs(runs["f0_grid"][0])) > 1e-2  # f0 != 0
    assert np.allclose(pred[0], runs["f0_grid"][0] + (g(grid) - f0(grid)), atol=1e-10)


def test_spline_limit_claim_passes_from_a_random_start():
    claim = registry.get("relu-spline-limit")
    ev = claim.evaluate(dict(INST))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["start"] == "random"
    independent = [c for c in ev.certificates if c.name.startswith("independent")]
    assert len(independent) == 2 and all(c.valid for c in independent)
