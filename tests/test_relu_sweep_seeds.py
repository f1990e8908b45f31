"""The width sweep's t x SE is measured on the run and capped at the claim's resolution: a thorough
draw of relu-spline-limit had t_0.999 x SE = 0.301 against the cap 0.3 (seed-to-seed scatter of the
finite-width kernel). The sweep doubles its seeds per width until it fits (here: 8 seeds, t x SE 0.19),
and the slope is then judged; the mutant order -1 is still refuted on it."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from theorems.registry import get


def test_sweep_doubles_its_seeds_until_the_slope_error_fits_the_resolution():
    d = np.load(Path(__file__).parent / "data" / "spline_limit_scattered_seeds.npz")
    inst = {k: d[k] for k in d.files}
    claim = get("relu-spline-limit")
    ev = claim.evaluate(inst)
    assert ev.outcome == "pass", ev.why()
    assert ev.details["seeds_doubled_to"] > int(inst["n_seeds"])
    assert sum(ev.run_budget.values()) <= claim.resolution.budget_cap
    wrong = claim.evaluate(inst, {**claim.params, "order": -1.0})
    assert wrong.outcome == "fail", wrong.why()
