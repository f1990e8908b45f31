"""Independent certificates of the neurons family: each accepts the right answer and rejects a
wrong one (a 1e-6 relative perturbation, a forgotten start, the wrong smoothing parameter or
penalty, dropped data, a value off by 1e-6)."""
from __future__ import annotations

from functools import partial

import numpy as np
import scipy.interpolate

from solvers.certify import neurons as cn
from solvers.curvature_spline_k import spline_k, zeta_gaussian_k
from solvers.min_cost_interpolation import min_cost_lp
from solvers.min_norm import min_norm_interpolant
from solvers.radon_reference import GaussianRadonZeta, UniformRadonZeta, radon_interpolant
from solvers.smoothing_spline import smoothing_spline
from theorems.audit import shared_code

RAW = {"x": np.array([1.4, -1.5, -0.6, 0.1, 0.7]), "y": np.array([-0.6, 0.3, -0.4, 0.5, 0.2]), "sw": 1.0, "sb": 0.7}


def _ref(g, k):
    return {"k": k, "splines": [{"alpha": g.alpha, "beta": g.beta, "lam": g.lam}]}


def test_certificates_share_no_code_with_solvers_or_models():
    for f in (cn.curvature_spline_kkt, cn.natural_spline_moments, cn.min_cost_certificate, cn.radon_closed_form, cn.neuron_limit):
        assert shared_code(f) == []


def test_spline_kkt_accepts_and_rejects():
    for k in (1, 2):
        zeta = partial(zeta_gaussian_k, sw=1.0, sb=0.7, k=k)
        g, _ = spline_k(RAW["x"], RAW["y"], zeta, k=k)
        assert all(c.valid for c in cn.curvature_spline_kkt(RAW, _ref(g, k)))
        bad = _ref(g, k)
        bad["splines"][0]["alpha"] = g.alpha * (1 + 1e-6)
        assert not any(c.valid for c in cn.curvature_spline_kkt(RAW, bad))
        wrong_penalty = spline_k(RAW["x"], RAW["y"], partial(zeta_gaussian_k, sw=1.0, sb=0.7, k=3 - k), k=k)[0]
        assert not all(c.valid for c in cn.curvature_spline_kkt(RAW, _ref(wrong_penalty, k)))
    s, _ = smoothing_spline(RAW["x"], RAW["y"], partial(zeta_gaussian_k, sw=1.0, sb=0.7, k=1), 0.2)
    assert all(c.valid for c in cn.curvature_spline_kkt(RAW, _ref(s, 1)))
    wrong_lam = _ref(s, 1)
    wrong_lam["splines"][0]["lam"] = 0.2 * (1 + 1e-5)
    assert not any(c.valid for c in cn.curvature_spline_kkt(RAW, wrong_lam))
    dropped = dict(RAW, y=RAW["y"] * np.array([1, 1, 1, 1, 0.0]))
    assert not any(c.valid for c in cn.curvature_spline_kkt(dropped, _ref(s, 1)))


def _g0_raw(ends_zero):
    return {"a": 0.0, "b": 1.5, "poly": np.array([0.2, 0.1, 0.0 if ends_zero else 0.8, 0.0]),
            "sines": np.array([1.0, -0.3]), "exp_amp": 0.0, "exp_rate": 1.0}


def test_natural_spline_moments():
    raw = _g0_raw(False)
    t = np.linspace(0.0, 1.5, 17)
    cs = scipy.interpolate.CubicSpline(t, cn.target_g0(raw, t), bc_type="natural")
    ok = {"levels": [{"knots": t, "m2": cs(t, 2)}]}
    assert cn.natural_spline_moments(raw, ok).valid
    assert not cn.natural_spline_moments(raw, {"levels": [{"knots": t, "m2": cs(t, 2) * (1 + 1e-6)}]}).valid
    clamped = scipy.interpolate.CubicSpline(t, cn.target_g0(raw, t), bc_type="clamped")
    assert not cn.natural_spline_moments(raw, {"levels": [{"knots": t, "m2": clamped(t, 2)}]}).valid
    assert np.allclose(cn.target_g0(dict(raw, exp_amp=1.0), np.array([0.0])), cn.target_g0(raw, np.array([0.0])) + 1.0)


def test_min_cost_certificate():
    x = np.array([-1.0, 0.0, 0.5, 1.5])
    for y, free in ((np.array([-3.0, 0.1, 1.4, 4.6]), False), (np.array([0.0, 1.0, -1.0, 0.5]), False),
                    (np.array([-3.0, 0.1, 1.4, 4.6]), True)):
        net, nu, _ = min_cost_lp(x, y, free_linear=free)
        ref = {"value": net.cost, "nu": nu, "free_linear": free}
        assert cn.min_cost_certificate({"x": x, "y": y}, ref).valid
        assert not cn.min_cost_certificate({"x": x, "y": y}, dict(ref, value=net.cost * (1 + 1e-6))).valid
        assert not cn.min_cost_certificate({"x": x, "y": y}, dict(ref, value=net.cost * (1 - 1e-6))).valid
        assert not cn.min_cost_certificate({"x": x, "y": y}, dict(ref, nu=nu * 1.01)).valid


def test_radon_closed_form():
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0], [-1.0, 1.0], [1.0, -1.0]])
    y = np.array([1.5, 1.5, 0.5, -0.5, -0.5])
    E = np.random.default_rng(0).uniform(-1, 1, (25, 2))
    for raw, zeta, br in (({"X": X, "y": y, "init": 0, "sw": 1.0, "sb": 0.5}, GaussianRadonZeta(1.0, 0.5), ()),
                          ({"X": X, "y": y, "init": 1, "a_b": 2.0}, UniformRadonZeta(2.0), (-2.0, 2.0))):
        g, _, err = radon_interpolant(X, y, zeta, E, 128, br)
        ref = {"points": E, "values": g(E), "error": err}
        assert cn.radon_closed_form(raw, ref).valid
        assert not cn.radon_closed_form(raw, dict(ref, values=g(E) + 10 * err + 1e-6)).valid
    assert not cn.radon_closed_form({"X": X, "y": y, "init": 0, "sw": 1.0, "sb": 1.0}, ref).valid  # wrong init


def test_neuron_limit():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 6))
    w0 = rng.standard_normal(6)
    z = rng.uniform(-1, 1, 3)
    for name, y in (("tanh", np.tanh(z)), ("leaky-relu", np.where(z > 0, z, 0.1 * z)),
                    ("sigmoid", 1 / (1 + np.exp(-z))), ("relu", np.maximum(z, 0))):
        w, _ = min_norm_interpolant(X, z, w0)
        raw = {"X": X, "y": y, "w0": w0}
        ref = {"w": w, "activation": name, "alpha": 0.1}
        if name != "relu":
            assert cn.neuron_limit(raw, ref).valid
        assert not cn.neuron_limit(raw, dict(ref, w=w * (1 + 1e-6))).valid
        w_no_start, _ = min_norm_interpolant(X, z, np.zeros(6))
        assert not cn.neuron_limit(raw, dict(ref, w=w_no_start)).valid
