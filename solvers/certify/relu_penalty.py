"""Independent certificates of the curvature-penalty references (Jin & Montufar 2023, Thm 6, Prop 7),
recomputed from the raw instance by fixed-order Gauss-Legendre quadrature (not scipy's adaptive quad,
which the solver uses and whose own error estimate was, until now, the references' only check):

    zeta(x) = int_R |w|^3 p_{W,B}(w, -w x) dw.

* :func:`zeta_identity` -- the three initializations of Thm 6 from (sw, sb, a_w, a_b):

  - Gaussian, p = exp(-w^2/(2 sw^2) - b^2/(2 sb^2)) / (2 pi sw sb): the integrand is even in w; on
    [0, L] with a L^2 / 2 = T = 60, a = 1/sw^2 + x^2/sb^2 (the exponent of the integrand, -a w^2 / 2),
    split into 12 equal panels. The tail beyond L is int_L^inf w^3 e^(-a w^2/2) dw / int_0^inf (same)
    = (1 + T) e^(-T) ~ 5e-25 relative (a bound, not used as a value).
  - uniform, p = 1(|w| <= a_w, |b| <= a_b) / (4 a_w a_b): at b = -w x the support in w is
    |w| <= m = min(a_w, a_b/|x|) (m = a_w at x = 0); on [-m, 0] and [0, m] the integrand is the cubic
    |w|^3 / (4 a_w a_b), which Gauss-Legendre of order >= 2 integrates exactly: the two orders agree to
    rounding; what is recomputed independently is the support.
  - binary-uniform, W uniform on {-1, 1}, B ~ U(-a_b, a_b): the integral over W is the sum
    sum_{w = +-1} (1/2) |w|^3 p_B(-w x), p_B(b) = 1(|b| <= a_b) / (2 a_b).

  Each value is computed at two Gauss-Legendre orders (n and 2n nodes per panel); their relative
  difference is the certificate's own error estimate. The handed values must agree with the
  higher-order ones to ``RTOL`` = 1e-10 relative (a hundredth of the claims' declared resolution
  1e-8), at the raw x.

* :func:`prop7_penalty` -- Prop 7's prescribed initialization from (rho_family, ell, shift, kappa, s):
  1/rho recomputed from the family's formula, Z = int 1/rho on [c - L, c + L] (tails below 1e-20 of
  Z: L = 12 ell beyond the bumps for the Gaussian-shaped families, e^(-t) tails of 1/cosh cut at 50 ell)
  in panels of ell/2; the joint density p(w, b) = p_W(w) p_C(-b/w) / |w| (b = -w c, W ~ N(0, s^2)
  independent of C ~ p_C = 1/(Z rho)), so zeta(x) = int |w|^3 p(w, -w x) dw = p_C(x) int w^2 p_W(w) dw,
  the second integral by Gauss-Legendre on |w| <= sqrt(2 T) s (T = 60). The handed Z and zeta values
  must agree to ``RTOL``.

Nothing here calls the project's solvers or models (``theorems.audit`` enforces it).
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import arr

RTOL = 1e-10
T_TAIL = 60.0  # Gaussian tails cut where the exponent reaches -60: (1 + 60) e^-60 ~ 5e-25 relative
ORDERS = (20, 40)  # Gauss-Legendre nodes per panel; the difference is the error estimate
TINY = np.finfo(float).tiny


def _gauss_legendre(f, edges, n: int) -> float:
    """sum over panels [edges[k], edges[k+1]] of the n-point Gauss-Legendre rule applied to f (vectorized)."""
    t, wt = np.polynomial.legendre.leggauss(n)
    a, b = np.asarray(edges[:-1], float), np.asarray(edges[1:], float)
    half, mid = 0.5 * (b - a), 0.5 * (b + a)
    nodes = mid[:, None] + half[:, None] * t[None, :]
    return float(np.sum(half[:, None] * wt[None, :] * f(nodes)))


def _two_orders(f, edges) -> tuple[float, float]:
    """The integral at the higher order and the relative difference of the two orders."""
    lo, hi = (_gauss_legendre(f, edges, n) for n in ORDERS)
    return hi, abs(hi - lo) / max(abs(hi), TINY)


def _gaussian(x: float, sw: float, sb: float) -> tuple[float, float]:
    c = 1.0 / (2.0 * np.pi * sw * sb)
    f = lambda w: np.abs(w) ** 3 * c * np.exp(-0.5 * (w / sw) ** 2 - 0.5 * (w * x / sb) ** 2)  # noqa: E731
    a = 1.0 / sw**2 + x * x / sb**2
    L = np.sqrt(2.0 * T_TAIL / a)
    half, err = _two_orders(f, np.linspace(0.0, L, 13))
    return 2.0 * half, err  # even integrand


def _uniform(x: float, a_w: float, a_b: float) -> tuple[float, float]:
    c = 1.0 / (4.0 * a_w * a_b)
    m = a_w if x == 0.0 else min(a_w, a_b / abs(x))  # the support of w -> p(w, -w x)
    f = lambda w: np.abs(w) ** 3 * c * ((np.abs(w) <= a_w) & (np.abs(w * x) <= a_b))  # noqa: E731
    return _two_orders(f, np.array([-m, 0.0, m]))


def _binary_uniform(x: float, a_b: float) -> tuple[float, float]:
    p_b = lambda b: (abs(b) <= a_b) / (2.0 * a_b)  # noqa: E731
    return float(sum(0.5 * abs(w) ** 3 * p_b(-w * x) for w in (-1.0, 1.0))), 0.0


def independent_zeta(kind: str, x, raw) -> tuple[np.ndarray, float]:
    """zeta at the points x for initialization ``kind`` from the raw scales, and the worst relative
    difference of the two Gauss-Legendre orders."""
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    one = {"gaussian": lambda t: _gaussian(t, float(raw["sw"]), float(raw["sb"])),
           "uniform": lambda t: _uniform(t, float(raw["a_w"]), float(raw["a_b"])),
           "binary-uniform": lambda t: _binary_uniform(t, float(raw["a_b"]))}[kind]
    out = [one(float(t)) for t in xs]
    return np.array([v for v, _ in out]), max((e for _, e in out), default=0.0)


def _rel(handed, indep) -> float:
    handed, indep = np.asarray(handed, float), np.asarray(indep, float)
    if handed.shape != indep.shape:
        return np.inf
    # a value the independent route puts at exactly 0 (binary-uniform outside |x| <= a_b) must be 0
    den = np.where(indep != 0.0, np.abs(indep), TINY)
    return float(np.max(np.abs(handed - indep) / den)) if indep.size else 0.0


def zeta_identity(raw, reference) -> Certificate:
    """Certify ``reference['zeta'][kind]`` (the quadrature the closed forms are compared against) at
    ``reference['x']`` = the raw x, for every initialization handed (see module docstring)."""
    x = arr(raw, "x")
    xr = np.asarray(reference["x"], float)
    res = {"x_is_the_raw_x": float(np.max(np.abs(xr - x))) if xr.shape == x.shape else np.inf}
    own = 0.0
    for kind in ("gaussian", "binary-uniform", "uniform"):
        indep, err = independent_zeta(kind, x, raw)
        own = max(own, err)
        res[f"disagreement_{kind}"] = _rel(reference["zeta"][kind], indep) if kind in reference["zeta"] else np.inf
    res["gauss_legendre_orders_20_vs_40"] = own
    return Certificate("independent: zeta of Thm 6's initializations by fixed-order Gauss-Legendre from sw, sb, a_w, a_b "
                       "(orders 20 vs 40)", res, RTOL)


def _inv_rho(raw):
    """1/rho of the instance's family and the interval [lo, hi] carrying all but < 1e-20 of its mass."""
    fam, ell, m, kap = int(raw["rho_family"]), float(raw["ell"]), float(raw["shift"]), float(raw["kappa"])
    if fam == 0:  # rho = kappa exp((x - m)^2 / (2 ell^2))
        return (lambda t: np.exp(-((t - m) ** 2) / (2.0 * ell**2)) / kap), (m - 12.0 * ell, m + 12.0 * ell)
    if fam == 1:  # rho = kappa cosh((x - m) / ell): 1/rho <= 2 e^(-|x - m|/ell) / kappa
        return (lambda t: 1.0 / (kap * np.cosh((t - m) / ell))), (m - 50.0 * ell, m + 50.0 * ell)
    if fam == 2:  # 1/rho = exp(-(x - m)^2/(2 ell^2)) + kappa exp(-(x + m)^2/(2 ell^2))
        return (lambda t: np.exp(-((t - m) ** 2) / (2.0 * ell**2)) + kap * np.exp(-((t + m) ** 2) / (2.0 * ell**2))), \
            (-abs(m) - 12.0 * ell, abs(m) + 12.0 * ell)
    raise ValueError(f"unknown rho family {fam}")


def prop7_penalty(raw, reference) -> Certificate:
    """Certify Prop 7's references: ``reference['Z']`` = int 1/rho and ``reference['zeta']`` = the
    quadrature of int |w|^3 p(w, -w x) dw at ``reference['x']`` (points where the identity is
    evaluated: any x is a valid point), recomputed from the raw family parameters and s."""
    inv_rho, (lo, hi) = _inv_rho(raw)
    ell, s = float(raw["ell"]), float(raw["s"])
    panels = max(int(np.ceil((hi - lo) / (0.5 * ell))), 1)
    with np.errstate(over="ignore", under="ignore"):
        Z, z_err = _two_orders(inv_rho, np.linspace(lo, hi, panels + 1))
        cw = 1.0 / (np.sqrt(2.0 * np.pi) * s)
        W = np.sqrt(2.0 * T_TAIL) * s
        # int |w|^3 p_W(w) p_C(x) / |w| dw = p_C(x) int w^2 p_W(w) dw
        m2, m_err = _two_orders(lambda w: w**2 * cw * np.exp(-0.5 * (w / s) ** 2), np.linspace(-W, W, 25))
        x = np.asarray(reference["x"], float)
        indep = m2 * inv_rho(x) / Z
    res = {"disagreement_Z": abs(float(reference["Z"]) - Z) / Z,
           "disagreement_zeta": _rel(reference["zeta"], indep),
           "gauss_legendre_orders_20_vs_40": max(z_err, m_err)}
    return Certificate("independent: Prop 7's Z = int 1/rho and zeta = p_C E[W^2] from the joint density, by fixed-order "
                       "Gauss-Legendre from the raw rho parameters and s (orders 20 vs 40)", res, RTOL)


__all__ = ["RTOL", "independent_zeta", "prop7_penalty", "zeta_identity"]
