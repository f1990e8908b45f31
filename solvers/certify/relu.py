"""Independent certificates for the wide-ReLU claims (Jin & Montufar 2023, Thm 5), recomputed from
the raw instance: the data (x, y) and the Gaussian initialization scales (sw, sb).

* :func:`curvature_spline` -- g* = argmin int_S (g'' - f0'')^2 / zeta s.t. g(x_j) = y_j, handed as
  h = g - f0 = a + b x + int_{x_1}^x (x - t) zeta(t) lambda(t) dt with lambda continuous and
  piecewise linear on the knots. The Euler-Lagrange conditions of the problem are exactly: h''/zeta =
  lambda piecewise linear between knots, continuous, and zero at both ends (natural boundary
  conditions); with interpolation of the data this characterizes the unique minimizer. Checked
  here: the ends, the interpolation residual with h recomputed by adaptive quadrature (zeta =
  2 sw^3 sb^3 / (pi (sb^2 + x^2 sw^2)^2) recomputed from sw, sb, lambda by linear interpolation),
  the values the check compared against (at grid points, by the same quadrature), and h''/zeta =
  lambda by central second differences of the quadrature route at interior points. The data of the
  main spline must be the raw y (sorted); a linear map's cardinal splines have unit data.
* :func:`kernel_interpolant` -- g_K = f0 + sum_j c_j K(., x_j) with K(x, z) = E[relu(Wx+B) relu(Wz+B)]
  for W ~ N(0, sw^2), B ~ N(0, sb^2): the arc-cosine kernel, recomputed here in the form
  (sqrt(|u|^2 |v|^2 - (u.v)^2) + (pi - t) u.v) / (2 pi), u = (sw x, sb), v = (sw z, sb); the
  interpolation residual and the handed grid values.

Nothing here calls the project's solvers or models (``theorems.audit`` enforces it).
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.integrate

from ..certificate import Certificate
from .common import EPS, arr

TINY = np.finfo(float).tiny
QUAD_RTOL = 1e-12


def gaussian_zeta(t, sw: float, sb: float):
    """zeta of W ~ N(0, sw^2), B ~ N(0, sb^2) (Jin & Montufar 2023, Thm 6)."""
    t = np.asarray(t, dtype=float)
    return 2.0 * sw**3 * sb**3 / (np.pi * (sb * sb + t * t * sw * sw) ** 2)


def _h_by_quadrature(spline: dict, zeta, x: float) -> float:
    """a + b x + int_{x_1}^x (x - t) zeta(t) lambda(t) dt, by quad on each knot interval."""
    kn, lam = np.asarray(spline["knots"], float), np.asarray(spline["lam"], float)
    val = float(spline["a"]) + float(spline["b"]) * x
    edges = [kn[0]] + [k for k in kn[1:] if k < x] + [x]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
        for lo, hi in zip(edges[:-1], edges[1:]):
            if hi > lo:
                val += scipy.integrate.quad(lambda t: (x - t) * float(zeta(t)) * float(np.interp(t, kn, lam)),
                                            lo, hi, epsabs=0.0, epsrel=QUAD_RTOL, limit=200)[0]
    return val


def _one_spline(spline: dict, zeta, data: np.ndarray, el_points: int) -> tuple[dict, dict]:
    kn, lam = np.asarray(spline["knots"], float), np.asarray(spline["lam"], float)
    lam_scale = max(float(np.max(np.abs(lam))), TINY)
    dscale = max(float(np.max(np.abs(data))), TINY)
    exact = {
        "natural_ends": max(abs(lam[0]), abs(lam[-1])) / lam_scale,
        "interpolation": max(abs(_h_by_quadrature(spline, zeta, float(xj)) - dj) for xj, dj in zip(kn, data)) / dscale,
    }
    if "grid" in spline:
        grid, vals = np.asarray(spline["grid"], float), np.asarray(spline["values"], float)
        pick = np.unique(np.linspace(0, grid.size - 1, 9).astype(int))
        exact["handed_values"] = max(abs(_h_by_quadrature(spline, zeta, float(grid[k])) - vals[k]) for k in pick) / dscale
    el = 0.0
    if el_points:
        for a, b in zip(kn[:-1], kn[1:]):
            step = 1e-3 * (b - a)
            for s in np.linspace(0.2, 0.8, el_points):
                t = a + s * (b - a)
                d2 = (_h_by_quadrature(spline, zeta, t + step) - 2.0 * _h_by_quadrature(spline, zeta, t)
                      + _h_by_quadrature(spline, zeta, t - step)) / step**2
                el = max(el, abs(d2 / float(zeta(t)) - float(np.interp(t, kn, lam))))
    return exact, {"euler_lagrange": el / lam_scale}


def curvature_spline(raw, reference) -> list[Certificate]:
    """Certify every spline in ``reference['splines']`` (dicts with knots, lam, a, b, data and
    optionally grid/values): the first interpolates the raw y, the rest (cardinal splines of the
    linear map data -> g, used when f0 != 0) the unit vectors. See module docstring."""
    x, y = arr(raw, "x"), arr(raw, "y")
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    zeta = lambda t: gaussian_zeta(t, float(raw["sw"]), float(raw["sb"]))  # noqa: E731
    splines = reference["splines"]
    worst_exact: dict[str, float] = {}
    worst_el = 0.0
    data_mismatch = 0.0
    for k, sp in enumerate(splines):
        want = ys if k == 0 else np.eye(xs.size)[k - 1]
        data = np.asarray(sp["data"], float)
        data_mismatch = max(data_mismatch, float(np.max(np.abs(data - want))) / max(float(np.max(np.abs(want))), TINY),
                            float(np.max(np.abs(np.asarray(sp["knots"], float) - xs))))
        exact, el = _one_spline(sp, zeta, want, el_points=3 if k == 0 else 0)
        for name, v in exact.items():
            worst_exact[name] = max(worst_exact.get(name, 0.0), v)
        worst_el = max(worst_el, el["euler_lagrange"])
    worst_exact["data_is_the_raw_data"] = data_mismatch
    return [Certificate("independent: curvature spline g* (natural ends, interpolation and handed values by quadrature, "
                        "zeta from sw, sb)", worst_exact, 1e-10),
            # second differences with step 1e-3 of the knot gap: truncation ~1e-7 relative, quad noise / step^2
            Certificate("independent: h''/zeta = lambda piecewise linear (second differences of the quadrature route)",
                        {"euler_lagrange": worst_el}, 1e-5)]


def arccos_kernel(x, z, sw: float, sb: float) -> np.ndarray:
    """E[relu(W x + B) relu(W z + B)] for W ~ N(0, sw^2), B ~ N(0, sb^2) (Cho & Saul 2009, degree 1)."""
    x = np.asarray(x, dtype=float)[:, None]
    z = np.asarray(z, dtype=float)[None, :]
    uu, vv, uv = sw * sw * x * x + sb * sb, sw * sw * z * z + sb * sb, sw * sw * x * z + sb * sb
    cross = np.sqrt(np.maximum(uu * vv - uv * uv, 0.0))
    t = np.arctan2(cross, uv)
    return (cross + (np.pi - t) * uv) / (2.0 * np.pi)


def kernel_interpolant(raw, reference) -> Certificate:
    """Certify every kernel interpolant in ``reference['kernels']`` (dicts with x, coef, affine, data,
    grid, values): the first interpolates the raw y, the rest the unit vectors."""
    x, y = arr(raw, "x"), arr(raw, "y")
    sw, sb = float(raw["sw"]), float(raw["sb"])
    res = {"interpolation": 0.0, "handed_values": 0.0, "data_is_the_raw_data": 0.0}
    cond = 1.0
    for k, ki in enumerate(reference["kernels"]):
        xk, c, ab = np.asarray(ki["x"], float), np.asarray(ki["coef"], float), np.asarray(ki["affine"], float)
        want = y if k == 0 else np.eye(x.size)[k - 1]
        data = np.asarray(ki["data"], float)
        res["data_is_the_raw_data"] = max(res["data_is_the_raw_data"], float(np.max(np.abs(data - want))) /
                                          max(float(np.max(np.abs(want))), TINY), float(np.max(np.abs(xk - x))))
        K = arccos_kernel(x, x, sw, sb)
        cond = max(cond, float(np.linalg.cond(K)))
        dscale = max(float(np.max(np.abs(want))), TINY)
        fit = K @ c + ab[0] + ab[1] * x
        res["interpolation"] = max(res["interpolation"], float(np.max(np.abs(fit - want))) / dscale)
        if "grid" in ki:
            g = np.asarray(ki["grid"], float)
            vals = arccos_kernel(g, x, sw, sb) @ c + ab[0] + ab[1] * g
            res["handed_values"] = max(res["handed_values"], float(np.max(np.abs(vals - np.asarray(ki["values"], float)))) / dscale)
    return Certificate("independent: kernel interpolant (arc-cosine kernel from sw, sb; interpolation and handed values)",
                       res, max(1e-10, 100.0 * x.size * cond * EPS))


__all__ = ["arccos_kernel", "curvature_spline", "gaussian_zeta", "kernel_interpolant"]
