"""Instances for the deeper-architecture claims, built directly (no filtering).

* :func:`dft_sparse_data`: separable data whose DFT-l1 max-margin solution beta* is KNOWN and unique:
  pick beta* with F beta* supported on a few frequencies (conjugate pairs, so beta* is real), a dual
  vector v with v_k = phase of (F beta*)_k on the support and |v_k| <= kappa < 1 off it
  (conjugate-symmetric), u = F^H v (real, <u, beta*> = ||F beta*||_1); then r active points
  z_n = beta*/||beta*||^2 + o_n (o_n orthogonal to beta*) with sum lam_n z_n = u for spread lam > 0
  (sum lam = ||F beta*||_1), r = the number of real moduli on the support; further points at margin
  >= 1 + DELTA_MIN. KKT holds with multipliers lam (so beta* is optimal); off-support strictness and
  generic active points make it unique (the solver certifies both on every instance).
* :func:`multiclass_data`: K classes around orthogonal centres R e_k with noise of norm < R/2
  (margin (mu_y - mu_k) . x > 0 for every k != y: separable by construction), every class non-empty.
* separable binary data come from :func:`theorems.strategies.separable.separable_data`.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .matrices import log_uniform, seeds
from .separable import separable_data

DELTA_MIN = 0.5
KAPPA_MAX = 0.5  # off-support dual modulus: the depth-2 conv flow approaches beta* like s^-(1 - kappa)


def dft_sparse_data(rng: np.random.Generator, D: int, support: list[int], n_extra: int, kappa: float = KAPPA_MAX):
    """(X, y, beta*, lam) with argmin ||F beta||_1 s.t. y_n <beta, x_n> >= 1 equal to beta* (see module doc)."""
    bh = np.zeros(D, complex)
    v = np.zeros(D, complex)
    r = 0
    for k in support:
        self_conj = k == 0 or 2 * k == D
        c = rng.uniform(0.5, 1.5) * (rng.choice([-1.0, 1.0]) if self_conj else np.exp(2j * np.pi * rng.uniform()))
        bh[k], bh[-k] = c, np.conj(c)
        v[k] = c / abs(c)
        v[-k] = np.conj(v[k])
        r += 1 if self_conj else 2
    for k in range(D // 2 + 1):
        if k in support:
            continue
        mag = kappa * rng.uniform(0.0, 1.0)
        val = mag * (rng.choice([-1.0, 1.0]) if (k == 0 or 2 * k == D) else np.exp(2j * np.pi * rng.uniform()))
        v[k], v[-k] = val, np.conj(val)
    beta = np.real(np.fft.ifft(bh, norm="ortho"))
    u = np.real(np.fft.ifft(v, norm="ortho"))
    N1 = float(np.sum(np.abs(bh)))
    lam = rng.permutation(np.geomspace(0.5, 1.5, r)) * rng.uniform(0.9, 1.1, r)
    lam *= N1 / lam.sum()
    bn = beta / (beta @ beta)
    P = np.eye(D) - np.outer(beta, beta) / (beta @ beta)
    O = np.zeros((r, D))
    for i in range(r - 1):
        O[i] = P @ rng.standard_normal(D) * 0.5
    O[r - 1] = (u - N1 * bn - lam[: r - 1] @ O[: r - 1]) / lam[r - 1]
    extra = (1 + DELTA_MIN + rng.exponential(0.5, n_extra))[:, None] * bn[None, :] + 0.5 * rng.standard_normal((n_extra, D)) @ P
    Z = np.vstack([bn[None, :] + O, extra])
    m = len(Z)
    y = rng.choice([-1.0, 1.0], size=m)
    y[0], y[-1] = 1.0, -1.0
    perm = rng.permutation(m)
    scale = float(np.linalg.norm(Z, 2))
    return (y[:, None] * Z)[perm] / scale, y[perm], beta * scale, np.r_[lam, np.zeros(n_extra)][perm] * scale


@st.composite
def conv_instances(draw, depths=(2, 2), D_range=(4, 8)):
    """X, y (DFT-sparse solution), depth, theta0 (depth x D, Gaussian of scale alpha)."""
    D = draw(st.integers(*D_range))
    depth = draw(st.integers(*depths))
    n_pairs = draw(st.integers(1, 2 if D >= 6 else 1))
    rng = np.random.default_rng(draw(seeds()))
    support = sorted(rng.choice(np.arange(1, (D + 1) // 2), size=min(n_pairs, (D - 1) // 2), replace=False).tolist())
    X, y, _, _ = dft_sparse_data(rng, D, support, draw(st.integers(0, 3)))
    alpha = draw(log_uniform(0.05, 0.5))
    return {"X": X, "y": y, "depth": depth, "theta0": alpha * rng.standard_normal(depth * D)}


@st.composite
def deep_linear_instances(draw, depth_range=(2, 4)):
    """X, y (known l2 SVM, k support vectors), depth, width, theta0 (Gaussian or balanced rank one)."""
    m = draw(st.integers(3, 7))
    d = draw(st.integers(2, 4))
    k = draw(st.integers(1, min(m, d)))
    depth = draw(st.integers(*depth_range))
    width = draw(st.integers(2, 3))
    rng = np.random.default_rng(draw(seeds()))
    X, y, _ = separable_data(rng, m, d, k, draw(log_uniform(0.3, 1.0)))
    n_par = width * d + width * width * (depth - 2) + width
    theta0 = draw(log_uniform(0.1, 1.0)) * rng.standard_normal(n_par)
    return {"X": X, "y": y, "depth": depth, "width": width, "theta0": theta0}


def multiclass_data(rng: np.random.Generator, K: int, d: int, per_class: list[int], R: float = 1.0):
    """(X, labels): class k around R e_k (orthogonal centres) with noise of norm < 0.45 R."""
    centres = R * np.linalg.qr(rng.standard_normal((d, K)))[0].T
    xs, labels = [], []
    for k, n in enumerate(per_class):
        for _ in range(n):
            e = rng.standard_normal(d)
            xs.append(centres[k] + 0.45 * R * rng.uniform(0.2, 1.0) * e / np.linalg.norm(e))
            labels.append(k)
    perm = rng.permutation(len(xs))
    return np.array(xs)[perm], np.array(labels, float)[perm]


@st.composite
def multiclass_instances(draw):
    K = draw(st.integers(3, 4))
    d = draw(st.integers(K, 5))
    per = [draw(st.integers(1, 3)) for _ in range(K)]
    rng = np.random.default_rng(draw(seeds()))
    X, labels = multiclass_data(rng, K, d, per)
    X = X / np.linalg.norm(X, 2)
    return {"X": X, "labels": labels, "W0": draw(log_uniform(0.05, 1.0)) * rng.standard_normal((K, d)),
            "eta_frac": draw(st.floats(0.3, 0.9))}


@st.composite
def separable_with_start(draw, knobs=("eta_frac",)):
    """X, y (known SVM), w0 (Gaussian or adversarial) and the listed knobs."""
    m = draw(st.integers(3, 8))
    d = draw(st.integers(2, 5))
    k = draw(st.integers(1, min(m, d)))
    rng = np.random.default_rng(draw(seeds()))
    X, y, w_hat = separable_data(rng, m, d, k, draw(log_uniform(0.3, 1.0)))
    kind = draw(st.sampled_from(["gaussian", "adversarial"]))
    w0 = rng.standard_normal(d) if kind == "gaussian" else -0.5 * w_hat / np.linalg.norm(w_hat) ** 2
    inst = {"X": X, "y": y, "w0": w0}
    table = {"eta_frac": st.floats(0.3, 0.9), "beta": st.floats(0.0, 0.8), "T": st.integers(50, 400)}
    for kname in knobs:
        inst[kname] = draw(table[kname])
    return inst


MODEL_KINDS = ("deep-linear", "diagonal", "squared-activation")


def homogeneous_parameter_count(kind: int, d: int, degree: int, width: int) -> int:
    if kind == 0:
        return width * d + width * width * (degree - 2) + width
    if kind == 1:
        return degree * d
    return width + width * d


def quadratic_data(rng: np.random.Generator, d: int, m: int, with_directions: bool = False):
    """Data separable by f(x) = <w1, x>^2 - <w2, x>^2 (w1, w2 orthonormal): +1 points near +-c w1,
    -1 points near +-c w2 (|c| >= 0.7), noise orthogonal to both of norm < 0.3 |c| (so y f(x) = c^2 >= 0.49)."""
    Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    w1, w2 = Q[:, 0], Q[:, 1]
    P = np.eye(d) - np.outer(w1, w1) - np.outer(w2, w2)
    X, y = [], []
    for n in range(m):
        lab = 1.0 if n % 2 == 0 else -1.0
        c = rng.uniform(0.7, 1.3) * rng.choice([-1.0, 1.0])
        e = P @ rng.standard_normal(d) if d > 2 else np.zeros(d)
        e = 0.3 * abs(c) * rng.uniform(0, 1) * e / max(np.linalg.norm(e), 1e-12)
        X.append(c * (w1 if lab > 0 else w2) + e)
        y.append(lab)
    if with_directions:
        return np.array(X), np.array(y), w1, w2
    return np.array(X), np.array(y)


@st.composite
def homogeneous_instances(draw):
    """X, y, model (0 deep linear, 1 diagonal, 2 squared activation), degree, width, theta0 (Gaussian;
    for the squared-activation net a perturbed planted separator, see the code)."""
    kind = draw(st.integers(0, 2))
    degree = 3 if kind == 2 else draw(st.integers(2, 3))
    width = draw(st.integers(2, 3))
    d = draw(st.integers(2, 4))
    m = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(seeds()))
    scale = draw(log_uniform(0.3, 1.0))
    if kind == 2:
        # the squared-activation net has spurious stationary points a random start can stall at (the
        # thorough profile met three: log(1/L) never reached 5), so the start is a planted separator
        # a = (1, -1, 0, ...), W = (w1, w2, 0, ...) scaled to margins >= 2 (log m + 1) (L(theta0) < 1:
        # Lyu & Li's (A4) from the start), plus a Gaussian perturbation of relative size 5%
        X, y, w1, w2 = quadratic_data(rng, d, m, with_directions=True)
        c = (2.0 * (np.log(m) + 1.0) / 0.49) ** (1.0 / 3.0)
        W = np.zeros((width, d))
        W[0], W[1] = w1, w2
        a = np.zeros(width)
        a[0], a[1] = 1.0, -1.0
        planted = c * np.r_[a, W.ravel()]
        theta0 = planted + 0.05 * np.linalg.norm(planted) / np.sqrt(planted.size) * rng.standard_normal(planted.size)
    else:
        X, y, _ = separable_data(rng, m, d, draw(st.integers(1, min(m, d))), draw(log_uniform(0.3, 1.0)))
        theta0 = scale * rng.standard_normal(homogeneous_parameter_count(kind, d, degree, width))
    return {"X": X, "y": y, "model": kind, "degree": degree, "width": width, "theta0": theta0}


@st.composite
def aligned_single_point(draw):
    """One point x (label +1) and a balanced rank-one deep linear start aligned with it,
    W_l = c v_(l+1) v_l^T with v_1 = x/||x||: the flow keeps this form, so the normalized margin
    q/||theta||^N is constant along it (the smoothed margins differ only in how they smooth L)."""
    d = draw(st.integers(2, 4))
    degree = draw(st.integers(2, 3))
    width = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(seeds()))
    x = rng.standard_normal(d)
    vs = [x / np.linalg.norm(x)] + [np.abs(rng.standard_normal(width)) + 0.1 for _ in range(degree - 1)] + [np.ones(1)]
    vs = [v / np.linalg.norm(v) for v in vs]
    c = draw(st.floats(0.3, 1.0))
    theta0 = np.concatenate([(c * np.outer(vs[l + 1], vs[l])).ravel() for l in range(degree)])
    return {"X": x[None, :], "y": np.array([1.0]), "model": 0, "degree": degree, "width": width, "theta0": theta0}
