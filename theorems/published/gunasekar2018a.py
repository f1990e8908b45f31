"""The two least-squares data sets of Gunasekar, Lee, Soudry, Srebro 2018a.

Paper: "Characterizing implicit bias in terms of optimization geometry", ICML 2018 (PMLR 80:1832-1841),
arXiv 1802.08246. What we could pin from the stored public text (the paper's Fig. 1 caption and its
examples, quoted on the paper's public reproducibility page; the PDF body itself was not in the
corpora):

* the data sets {(x1 = [1, 2], y1 = 1)} and {(x1 = [1, 1, 1], y1 = 1), (x2 = [1, 2, 0], y2 = 10)},
  squared loss, i.e. L(w) = 1/2 ||Xw - y||^2 up to a constant factor (which rescales eta only);
* Fig. 1 "Dependence of implicit bias on step size and momentum": (a) mirror descent with primal
  momentum (Example 2, eq. (8)), the global minimum depends on the momentum parameters beta, gamma;
  (b) natural gradient descent (Example 3, eq. (9)), different step sizes eta converge to different
  global minima, eta "small enough to ensure w(t) in dom(psi)"; (c) steepest descent w.r.t. an l_p
  norm with ||.||_p^2 smooth and strongly convex, the global minimum depends on the step size;
* the paper reports pictures (trajectories and end points), no numbers.

Not pinned: which example / panel uses which data set, the potentials psi, the starts, the step
sizes and the p of panel (c) (l_{4/3} from memory, not verified). Two facts we derived and measured
constrain the assignment: with ONE observation (ce1) every l_p steepest-descent step and every
AdaGrad step moves along one fixed direction (g_t = x r_t), so their limit does not depend on eta
at all (our claims confirm the statement on ce1 to ~1e-16): panel (c) cannot be ce1, so it is ce2;
and ce2 has no interpolant with w > 0 (w1 + 2 w2 = 10 and w1 + w2 + w3 = 1 force w3 < 0), so if
the potential of panel (b) lives on the positive orthant (the entropy), panel (b) is ce1.

Our settings (choices, not the paper's): w0 = 0 except for the negative entropy (w0 = 1); the
negative entropy on ce1 and the hyperbolic entropy (b = 1) on ce2, where the entropy is outside
the assumptions; steepest descent w.r.t. l_{4/3}; momentum beta = 0.5, gamma = 0 (heavy ball);
step sizes eta_frac = 0.1, 0.3, 0.5, 0.7, 0.9 of each method's step scale; the least-squares
negative controls at eta_frac = 0.5 where they take one.
"""
from __future__ import annotations

import numpy as np

from . import Published, register_published

PAPER = ("Gunasekar, Lee, Soudry, Srebro 2018a, 'Characterizing implicit bias in terms of optimization geometry', "
         "ICML (PMLR 80), arXiv 1802.08246")
DATA = {
    "ce1": (np.array([[1.0, 2.0]]), np.array([1.0])),
    "ce2": (np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 0.0]]), np.array([1.0, 10.0])),
}
STEP_CLAIMS = ("steepest-descent-least-squares-step-dependence", "adagrad-least-squares-step-dependence",
               "natural-gradient-step-dependence", "mirror-descent-momentum-step-dependence")
FLOW_CLAIM = "natural-gradient-flow-mirror-flow"
LS_CONTROLS = ("adam-least-squares-not-min-norm", "adagrad-least-squares-not-min-norm",
               "sign-descent-least-squares-not-min-norm", "coordinate-descent-least-squares-not-min-norm",
               "greedy-coordinate-descent-least-squares-not-min-norm")
ETA_FRACS = (0.1, 0.3, 0.5, 0.7, 0.9)
POTENTIAL = {"ce1": 0, "ce2": 2}  # negative entropy needs a positive interpolant: ce2 has none


def build_for(name: str):
    X, y = DATA[name]
    d = X.shape[1]
    k = POTENTIAL[name]
    w0_mirror = np.ones(d) if k == 0 else np.zeros(d)

    def build(claim_id: str) -> dict:
        if claim_id in LS_CONTROLS:
            inst = {"X": X.copy(), "y": y.copy(), "w0": np.zeros(d)}
            if claim_id.startswith(("adam", "adagrad")):
                inst["eta_frac"] = 0.5
            return inst
        if claim_id == FLOW_CLAIM:
            return {"X": X.copy(), "y": y.copy(), "w0": w0_mirror.copy(), "potential": k, "b": 1.0}
        if claim_id not in STEP_CLAIMS:
            raise KeyError(f"configuration gunasekar2018a-{name} does not feed {claim_id}")
        inst = {"X": X.copy(), "y": y.copy(), "eta_fracs": np.array(ETA_FRACS)}
        if claim_id.startswith("steepest"):
            return {**inst, "w0": np.zeros(d), "norm": 2}
        if claim_id.startswith("adagrad"):
            return {**inst, "w0": np.zeros(d)}
        inst = {**inst, "w0": w0_mirror.copy(), "potential": k, "b": 1.0}
        if claim_id.startswith("mirror"):
            inst.update(beta=0.5, gamma=0.0)
        return inst

    return build


def _vec(w) -> str:
    return "(" + ", ".join(f"{float(v):.4f}" for v in np.ravel(w)) + ")"


def ours(claim_id: str, ev) -> str:
    """Our measurement, in the paper's terms: the limit at each step size (step claims), the flow's
    limit against the Bregman projection, or the least-squares limit's distance to min-norm."""
    if ev.outcome in ("precondition", "inconclusive"):
        return f"{ev.outcome}: {ev.why()}"
    if claim_id in STEP_CLAIMS:
        fr, limits = ev.details["eta_fracs"], ev.details["limits"]
        spread = max(ev.details["spread"])
        pts = "; ".join(f"{float(f):g}: {_vec(w)}" for f, w in zip(fr, limits))
        verdict = "depends on eta" if ev.outcome == "fail" else "the same at every eta"
        return (f"{ev.details['method']} limit at eta_frac {pts} -> {verdict} (largest relative spread {spread:.2e}, "
                f"tolerance {ev.tolerance:.1e})")
    if claim_id == FLOW_CLAIM:
        return (f"flow limit = Bregman projection {_vec(ev.reference['w'])} to {ev.gap:.1e} (tolerance {ev.tolerance:.1e}); "
                f"natural gradient at eta = 0.5/L misses it by {ev.details['finite_step_miss']:.2e}")
    return (f"limit {ev.gap:.3f} (relative) away from the min-norm interpolant {_vec(ev.reference['w'])} "
            f"(tolerance {ev.tolerance:.1e})")


NOTE = ("Potentials, starts, step sizes and the l_p of Fig. 1c are not given in the text we could retrieve: ours are "
        "w0 = 0 (w0 = 1 for the negative entropy), l_{4/3} steepest descent, momentum beta = 0.5, gamma = 0, "
        "eta_frac 0.1..0.9 of each method's step scale; the least-squares negative controls at eta_frac 0.5 from w0 = 0.")

register_published(
    Published(
        name="gunasekar2018a-ce1",
        paper=PAPER,
        where="sec. 2-3, Examples 2-3 and Fig. 1 (data set {([1, 2], 1)}; which panel uses it is not verified)",
        reports="pictures only: the global minimum reached moves with the step size (Fig. 1b natural gradient, "
                "1c steepest descent) and the momentum (Fig. 1a)",
        claims=STEP_CLAIMS + (FLOW_CLAIM,) + LS_CONTROLS,
        build=build_for("ce1"),
        ours=ours,
        expect={"steepest-descent-least-squares-step-dependence": "pass",
                "adagrad-least-squares-step-dependence": "pass"},
        note=NOTE + " With one observation, l_p steepest descent and AdaGrad move along a fixed direction and their limit "
                    "does NOT depend on eta (so their step-dependence claims are confirmed here, not refuted); natural "
                    "gradient and mirror descent with momentum (negative entropy, w0 = 1) do depend on it.",
    ),
    Published(
        name="gunasekar2018a-ce2",
        paper=PAPER,
        where="sec. 2-3, Examples 2-3 and Fig. 1 (data set {([1, 1, 1], 1), ([1, 2, 0], 10)}; which panel uses it is "
              "not verified)",
        reports="pictures only: the global minimum reached moves with the step size (Fig. 1b natural gradient, "
                "1c steepest descent) and the momentum (Fig. 1a)",
        claims=STEP_CLAIMS + (FLOW_CLAIM,) + LS_CONTROLS,
        build=build_for("ce2"),
        ours=ours,
        note=NOTE + " No interpolant has w > 0, so the negative entropy is outside the assumptions: the mirror methods "
                    "use the hyperbolic entropy (b = 1) from w0 = 0.",
    ),
)
