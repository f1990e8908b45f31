"""Published configurations for catalogue entry 10 (diagonal nets beyond width 1 and the square loss).

Moroshko et al. 2020 ("Implicit bias in deep linear classification: initialization scale vs training
accuracy", NeurIPS; the transition figure as reproduced in note 004): a map over (log(1/eps), alpha) with the
l2 max-margin region, the l1 region, the transition at eps = exp(-Theta(alpha^2)), the D = 2 panel drawn down
to eps = 1e-1700 and the depth-3 panel to 1e-4300. The paper's data set was not retrieved (only its abstract
and the notes' reproduction of the figure were available to us), so the picture is reproduced on OUR data: a
fixed separable set of 4 unit-norm points in R^8 (labels +-1, numpy seed 1). Woodworth et al. 2020's width
figure (rank-1 10 x 10 completion, 60 observations) could not be pinned from the paper or its code, so it is
not registered.
"""
from __future__ import annotations

import numpy as np

from ..strategies.diagk import planted_l1_draw
from . import Published, register_published


def _data():
    X, y, _, _ = planted_l1_draw(np.random.default_rng(1), 4, 8)
    return {"X": X, "y": y}


def _build_d2(claim_id: str) -> dict:
    inst = _data()
    if claim_id == "diag-net-exp-loss-l1-max-margin":
        inst["alpha"] = 0.3
    inst["loss"] = 0
    return inst


def _build_d3(claim_id: str) -> dict:
    return {**_data(), "alpha": 0.5, "loss": 0, "depth": 3}


def _ours_d2(claim_id, ev) -> str:
    d = ev.details
    if "extrapolated_exponent" in d:
        return (f"log(1/eps*) ~ alpha^{d['extrapolated_exponent']:.4f} (Richardson), log(1/eps*)/alpha^2 -> "
                f"{d['kappa_half_limit']:.3g}; eps* from 1e-{min(d['s_star']) / np.log(10):.1f} to "
                f"1e-{max(d['s_star']) / np.log(10):.0f} over alpha = {min(d['alphas']):.2g}..{max(d['alphas']):.2g}")
    if "gap_at_1e-1700" in d:
        return (f"l1 direction gap {d['gap_at_1e-1700']:.2e} at loss 1e-1700, {d['final_gap']:.2e} at loss 1e-434294 "
                f"(local order {d['fitted_order']:.2f})")
    return "no measurement"


def _ours_d3(claim_id, ev) -> str:
    return f"l_2/3 KKT residual {ev.gap:.2e} at loss 1e-4300"


register_published(
    Published("moroshko2020-transition-d2", "Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry 2020, arXiv 2007.06738",
              "transition figure, D = 2 panel (as in note 004)",
              "l2 max margin while log(1/eps) << alpha^2, l1 max margin beyond; transition at eps = exp(-Theta(alpha^2)); "
              "drawn to eps = 1e-1700",
              ("diag-net-exp-loss-transition", "diag-net-exp-loss-l1-max-margin"), _build_d2, _ours_d2,
              note="our data (4 points in R^8 with a planted l1 max margin, seed 1), not the paper's; exponential loss summed over "
                   "points; the l1 claim follows the flow past 1e-1700 to 1e-434294"),
    Published("moroshko2020-transition-d3", "Moroshko, Gunasekar, Woodworth, Lee, Srebro, Soudry 2020, arXiv 2007.06738",
              "transition figure, depth-3 panel (as in note 004)",
              "depth 3: the l_{2/3} region, drawn to eps = 1e-4300",
              ("deep-diag-net-exp-loss-kkt",), _build_d3, _ours_d3,
              note="our data (4 points in R^8 with a planted l1 max margin, seed 1), alpha = 0.5; measured KKT residual (open claim)"),
)
