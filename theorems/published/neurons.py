"""Published configurations for the neurons family (Jin & Montufar 2023 and their public code,
huijin12/Implicit_Bias_Wide_Neural_Networks).

Pinned from the code (notebook ``ASI_trick_differenct_neuron_all_case_2D_const_curvature.ipynb`` and
``networks.py``): the 2-D toy inputs [[-1,-1],[1,1],[0,0],[-1,1],[1,-1]] with outputs
[1.5, 1.5, 0.5, -0.5, -0.5]; the default initialization ``weight="unit_vector"``, ``bias=("uniform", 2)``
(W on the unit circle, B ~ U(-2, 2)), and the commented alternative ``weight="normal"``,
``bias=("normal", 0.1)`` (W ~ N(0, I), B ~ N(0, 0.1^2)); the 1-D toy inputs [-2, -1, 0, 1, 2] with
outputs [1.5, 0.5, 1.5, 0.5, 1.5] (commented in the training cell); the antisymmetric start
f = (sqrt 2 / 2)(f1 - f2), f2 a copy of f1 (``TwoLayerReluASI``). Figure 14 of the paper (the
trajectory) uses n = 2000 and W ~ N(0, 1), B ~ N(0, 1); its data are not given.
(The relu family registers the 1-D toy for Theorem 5 as ``jin-montufar-toy``.)
"""
from __future__ import annotations

import numpy as np

from . import Published, register_published

PAPER = ("Jin & Montufar 2023, 'Implicit bias of gradient descent for mean squared error regression with two-layer wide "
         "neural networks' (JMLR 24; arXiv 2006.07356), code huijin12/Implicit_Bias_Wide_Neural_Networks")
TOY_X = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
TOY_Y = np.array([1.5, 0.5, 1.5, 0.5, 1.5])
TOY2_X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [-1.0, 1.0], [1.0, -1.0]])
TOY2_Y = np.array([1.5, 1.5, 0.5, -0.5, -0.5])


def _trajectory(claim_id):
    return {"x": TOY_X, "y": TOY_Y, "sw": 1.0, "sb": 1.0, "start": 1}


def _trajectory_ours(claim_id, ev):
    rel = ev.details.get("relation_at_max_width", [])
    worst = max((r["D"] for r in rel), default=float("nan"))
    return (f"largest relative distance net vs smoothing spline {worst:.3f} over t = {ev.details.get('steps')} "
            f"(filter mismatch delta(t) <= {max(ev.details.get('delta', [float('nan')])):.3f}); width slope "
            f"{ev.details.get('width_slope', float('nan')):.2f}")


def _toy2(init):
    def build(claim_id):
        inst = {"X": TOY2_X, "y": TOY2_Y, "init": init}
        if init == 1:
            inst["a_b"] = 2.0
        else:
            inst.update({"sw": 1.0, "sb": 0.1})
        return inst
    return build


def _radon_ours(claim_id, ev):
    m = ev.details.get("mean_sup_error_by_width", {})
    big = max(m) if m else None
    return (f"sup error vs the Radon-domain g* {m.get(big, float('nan')):.3f} at n = {big}; fitted slope "
            f"{ev.details.get('slope', float('nan')):.2f} +- {ev.details.get('slope_se', float('nan')):.2f}")


register_published(
    Published(
        name="jin-montufar-trajectory",
        paper=PAPER, where="Remark 5, Appendix N, Figure 14 (trajectory); 1-D toy data of the public notebook",
        reports="GD trajectory (n = 2000, W ~ N(0,1), B ~ N(0,1), antisymmetric start) and smoothing splines with "
                "decreasing regularization are 'not equivalent, but close', both ending at the spline interpolant",
        claims=("relu-smoothing-spline-trajectory",), build=_trajectory, ours=_trajectory_ours,
        note="Figure 14's data are not given: we use the notebook's 1-D toy. The paper's learning rate is eta_bar/n with "
             "eta_bar unspecified: we take eta_bar mu_max = 0.05 and record t = 1, 4, 16, 64, 256; widths 256..8192 "
             "(the paper's n = 2000 lies inside the sweep). Their loss is the MSE (1/M) with nn.MSELoss (no 1/2): "
             "for it lam = M/(2 eta_bar t); ours is the sum with 1/2, lam = 1/(eta_bar t)."),
    Published(
        name="jin-montufar-2d-toy",
        paper=PAPER, where="Thm 6-8, Figures 2 and 8; notebook cell 1 (default settings)",
        reports="net vs the polyharmonic spline (uniform init: constant zeta) with error decaying like n^-1/2 "
                "(the notebook fits a power law to the L2 error on a 21 x 21 grid)",
        claims=("relu-multivariate-radon",), build=_toy2(1), ours=_radon_ours,
        note="The code's 'unit_vector' normalizes PyTorch's default uniform-in-a-square weights, whose directions are "
             "not uniform on the circle (zeta then not constant); we draw W uniformly on the circle, the assumption of "
             "Thm 7. The notebook trains only the output layer (our near calibration); the claim trains all layers, "
             "with the affine part unpenalized, and measures the sup error on a 15 x 15 grid."),
    Published(
        name="jin-montufar-2d-toy-gaussian",
        paper=PAPER, where="Figure 10 (W ~ N(0, I), B ~ N(0, 0.1)); notebook cell 1 (commented Gaussian alternative)",
        reports="net vs the variational solution for a sharp Gaussian initialization, error decaying with n",
        claims=("relu-multivariate-radon",), build=_toy2(0), ours=_radon_ours,
        note="The notebook draws the bias with std 0.1 (bias_tune ('normal', 0.1)); the paper writes N(0, 0.1). We use "
             "std 0.1. The notebook solves the variational problem by a trust-region method on a 600 x 601 (angle, bias) "
             "grid; our reference integrates the offset exactly and certifies against the arc-cosine kernel."),
)
