"""The reciprocal curvature penalty zeta of a wide shallow ReLU net's initialization.

Jin & Montufar 2023, Thm 5, 6 and Prop 7 (note 002, "The curvature penalty function"):

    zeta(x) = int_R |W|^3 p_{W,B}(W, -W x) dW = p_C(x) E[W^2 | C = x],   C = -B/W (breakpoint).

* :func:`zeta_quadrature` -- adaptive quadrature (scipy.integrate.quad) for any joint density;
  :func:`zeta_discrete_w` -- the same for W with finitely many values (sum instead of integral);
* closed forms (Thm 6): :func:`zeta_gaussian` 2 sw^3 sb^3 / (pi (sb^2 + x^2 sw^2)^2);
  :func:`zeta_binary_uniform` 1/(2 a_b) on |x| <= a_b (the note only says "constant");
  :func:`zeta_uniform` a_w^3 / (8 a_b) on |x| <= a_b / a_w (and a_b^3 / (8 a_w x^4) outside);
* :class:`PrescribedPenaltyInit` -- Prop 7: p_C = 1/(Z rho), W independent of C, B = -W C gives
  zeta = E[W^2] / (Z rho), i.e. any curvature penalty 1/zeta proportional to rho;
* samplers of (W, B) for each initialization (used by the nets and the Monte Carlo checks).

Quadrature routines return (values, Certificate): the certificate holds quad's own error
estimate relative to the value (and, for the Prop 7 normalizer, the same for Z).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.integrate
import scipy.interpolate

from .certificate import Certificate

QUAD_RTOL = 1e-11


# ---- closed forms (Thm 6) ------------------------------------------------------------------

def zeta_gaussian(x, sw: float, sb: float) -> np.ndarray:
    """W ~ N(0, sw^2), B ~ N(0, sb^2) independent: 2 sw^3 sb^3 / (pi (sb^2 + x^2 sw^2)^2)."""
    x = np.asarray(x, dtype=float)
    return 2.0 * sw**3 * sb**3 / (np.pi * (sb**2 + x**2 * sw**2) ** 2)


def zeta_binary_uniform(x, a_b: float) -> np.ndarray:
    """W uniform on {-1, 1}, B ~ U(-a_b, a_b): zeta = (p_B(x) + p_B(-x)) / 2 = 1/(2 a_b) on |x| <= a_b."""
    x = np.asarray(x, dtype=float)
    return np.where(np.abs(x) <= a_b, 1.0 / (2.0 * a_b), 0.0)


def zeta_uniform(x, a_w: float, a_b: float) -> np.ndarray:
    """W ~ U(-a_w, a_w), B ~ U(-a_b, a_b): a_w^3/(8 a_b) for |x| <= a_b/a_w, a_b^3/(8 a_w x^4) beyond."""
    x = np.asarray(x, dtype=float)
    ax = np.maximum(np.abs(x), a_b / a_w)  # the tail branch is only used for |x| > a_b/a_w
    return np.where(np.abs(x) <= a_b / a_w, a_w**3 / (8.0 * a_b), a_b**3 / (8.0 * a_w * ax**4))


# ---- joint densities and samplers ----------------------------------------------------------

def gaussian_density(sw: float, sb: float) -> Callable[[float, float], float]:
    c = 1.0 / (2.0 * np.pi * sw * sb)
    return lambda w, b: c * np.exp(-0.5 * (w / sw) ** 2 - 0.5 * (b / sb) ** 2)


def uniform_density(a_w: float, a_b: float) -> Callable[[float, float], float]:
    c = 1.0 / (4.0 * a_w * a_b)
    return lambda w, b: c * float(abs(w) <= a_w and abs(b) <= a_b)


def sample_init(kind: str, n: int, rng: np.random.Generator, **scales) -> tuple[np.ndarray, np.ndarray]:
    """n i.i.d. draws of (W, B): kind 'gaussian' (sw, sb), 'binary-uniform' (a_b), 'uniform' (a_w, a_b)."""
    if kind == "gaussian":
        return scales["sw"] * rng.standard_normal(n), scales["sb"] * rng.standard_normal(n)
    if kind == "binary-uniform":
        return rng.choice([-1.0, 1.0], n), rng.uniform(-scales["a_b"], scales["a_b"], n)
    if kind == "uniform":
        return rng.uniform(-scales["a_w"], scales["a_w"], n), rng.uniform(-scales["a_b"], scales["a_b"], n)
    raise ValueError(f"unknown initialization {kind!r}")


def zeta_closed_form(kind: str, x, **scales) -> np.ndarray:
    if kind == "gaussian":
        return zeta_gaussian(x, scales["sw"], scales["sb"])
    if kind == "binary-uniform":
        return zeta_binary_uniform(x, scales["a_b"])
    if kind == "uniform":
        return zeta_uniform(x, scales["a_w"], scales["a_b"])
    raise ValueError(f"unknown initialization {kind!r}")


# ---- quadrature ----------------------------------------------------------------------------

def zeta_quadrature(density: Callable[[float, float], float], x, w_breaks: tuple[float, ...] = (),
                    w_range: tuple[float, float] = (-np.inf, np.inf)) -> tuple[np.ndarray, Certificate]:
    """zeta(x) = int |w|^3 p(w, -w x) dw by scipy.integrate.quad, split at 0 and ``w_breaks``
    (points where the integrand is not smooth, e.g. w = +-a_b/|x| for a uniform B)."""
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    vals, errs = np.empty(xs.size), np.empty(xs.size)
    lo, hi = w_range
    for k, xk in enumerate(xs):
        f = lambda w: abs(w) ** 3 * density(w, -w * xk)
        pts = sorted({0.0, *[p for p in w_breaks(xk) if lo < p < hi]} if callable(w_breaks) else {0.0, *w_breaks})
        edges = [lo, *pts, hi]
        v = e = 0.0
        for a, b in zip(edges[:-1], edges[1:]):
            if a == b:
                continue
            r, re = scipy.integrate.quad(f, a, b, epsabs=0.0, epsrel=QUAD_RTOL, limit=200)
            v, e = v + r, e + re
        vals[k], errs[k] = v, e
    rel = float(np.max(errs / np.maximum(np.abs(vals), 1e-300))) if xs.size else 0.0
    cert = Certificate("zeta quadrature (quad error estimate, relative)", {"quad_error": rel}, 1e-8)
    return vals.reshape(np.shape(x)), cert


def zeta_discrete_w(w_values, w_probs, b_density: Callable[[np.ndarray], np.ndarray], x) -> np.ndarray:
    """zeta(x) = sum_k P(W = w_k) |w_k|^3 p_B(-w_k x) for W discrete, B independent of W
    (the integral over W becomes a sum: e.g. binary W in {-1, 1})."""
    x = np.asarray(x, dtype=float)
    return sum(p * abs(wv) ** 3 * b_density(-wv * x) for wv, p in zip(w_values, w_probs))


def quadrature_zeta_for(kind: str, x, **scales) -> tuple[np.ndarray, Certificate]:
    """The quadrature route for the three initializations of Thm 6 (independent of the closed forms)."""
    if kind == "gaussian":
        return zeta_quadrature(gaussian_density(scales["sw"], scales["sb"]), x)
    if kind == "uniform":
        a_w, a_b = scales["a_w"], scales["a_b"]
        breaks = lambda xk: (-a_b / abs(xk), a_b / abs(xk)) if xk != 0 else ()
        return zeta_quadrature(uniform_density(a_w, a_b), x, w_breaks=breaks, w_range=(-a_w, a_w))
    if kind == "binary-uniform":
        a_b = scales["a_b"]
        pB = lambda b: np.where(np.abs(b) <= a_b, 1.0 / (2.0 * a_b), 0.0)
        return zeta_discrete_w((-1.0, 1.0), (0.5, 0.5), pB, x), Certificate("zeta sum over W in {-1, 1}", {}, 0.0)
    raise ValueError(f"unknown initialization {kind!r}")


# ---- Monte Carlo: the W^2-weighted breakpoint histogram ------------------------------------

def breakpoint_histogram(w: np.ndarray, b: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bin k: the mean of W^2 1[C in bin_k] (an unbiased estimate of int_bin zeta) and its
    standard error, C = -B/W. Units with W = 0 have no breakpoint (zero weight)."""
    n = w.size
    nz = w != 0
    c = np.full(n, np.inf)
    c[nz] = -b[nz] / w[nz]
    idx = np.digitize(c, edges) - 1
    K = edges.size - 1
    inside = (idx >= 0) & (idx < K)
    w2 = w**2
    s1 = np.bincount(idx[inside], weights=w2[inside], minlength=K)
    s2 = np.bincount(idx[inside], weights=w2[inside] ** 2, minlength=K)
    mean = s1 / n
    var = np.maximum(s2 / n - mean**2, 0.0)
    return mean, np.sqrt(var / max(n - 1, 1))


# ---- Prop 7: an initialization with a prescribed curvature penalty -------------------------

@dataclass
class PrescribedPenaltyInit:
    """Prop 7: for rho > 0 with Z = int 1/rho < inf, C ~ p_C = 1/(Z rho), W ~ N(0, s^2)
    independent of C, B = -W C. Then zeta(x) = p_C(x) E[W^2] = s^2 / (Z rho(x))."""

    rho: Callable[[np.ndarray], np.ndarray]
    s: float
    support: tuple[float, float]  # where 1/rho carries all but a negligible mass (for sampling)
    Z: float = 0.0
    Z_error: float = 0.0

    def __post_init__(self):
        f = lambda t: 1.0 / float(self.rho(np.array(t)))
        with np.errstate(over="ignore", divide="ignore"):  # rho may overflow to inf in the tails: 1/rho = 0 there
            self.Z, self.Z_error = scipy.integrate.quad(f, -np.inf, np.inf, epsabs=0.0, epsrel=QUAD_RTOL, limit=200)
            lo, hi = self.support
            grid = np.linspace(lo, hi, 4001)
            pdf = 1.0 / (self.Z * self.rho(grid))
        cdf = scipy.integrate.cumulative_trapezoid(pdf, grid, initial=0.0)
        self._grid, self._cdf = grid, cdf / cdf[-1]

    def p_C(self, x) -> np.ndarray:
        with np.errstate(over="ignore", divide="ignore"):
            return 1.0 / (self.Z * self.rho(np.asarray(x, dtype=float)))

    def density(self) -> Callable[[float, float], float]:
        """Joint density of (W, B): p_W(w) p_C(-b/w) / |w| (change of variables b = -w c)."""
        s = self.s
        cw = 1.0 / (np.sqrt(2.0 * np.pi) * s)

        def p(w, b):
            if w == 0.0:
                return 0.0
            return cw * np.exp(-0.5 * (w / s) ** 2) * float(self.p_C(-b / w)) / abs(w)

        return p

    def zeta(self, x) -> np.ndarray:
        return self.s**2 * self.p_C(x)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(W, B) with C by inverse-CDF sampling on ``support`` (monotone cubic interpolation)."""
        inv = scipy.interpolate.PchipInterpolator(self._cdf, self._grid) if np.all(np.diff(self._cdf) > 0) else None
        u = rng.uniform(0.0, 1.0, n)
        c = inv(u) if inv is not None else np.interp(u, self._cdf, self._grid)
        w = self.s * rng.standard_normal(n)
        return w, -w * c

    def certificate(self) -> Certificate:
        return Certificate("Prop 7 normalizer Z by quad (relative error estimate)",
                           {"Z_quad_error": self.Z_error / self.Z}, 1e-8)
