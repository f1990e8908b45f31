"""Full-width cyclic linear convolutional networks (one channel, depth L) on separable data.

Network (Gunasekar, Lee, Soudry, Srebro 2018b, NeurIPS, "Implicit bias of gradient descent on
linear convolutional networks", sec. 2; notes 000/001 "Linear Conv Nets"): weights w_1..w_L in R^D,
    h_0 = x,   h_l[d] = (1/sqrt D) sum_{k=0}^{D-1} w_l[k] h_{l-1}[(d + k) mod D]   (l = 1..L-1),
    f(x) = <w_L, h_{L-1}>.
(The notes drop the 1/sqrt D; it rescales every layer by a constant, which changes the clock and
the scale of the start but not the limit direction: f is L-homogeneous, so f with the factor at
weights w is f without it at weights D^{-(L-1)/(2L)} w.)

The DFT diagonalizes every layer. With F the unitary DFT (F x = numpy.fft.fft(x, norm="ortho")),
feeding x through the layers gives f(x) = <beta, x> with
    F beta = prod_l F w_l   (elementwise; derived: h_l = (1/sqrt D) C_l h_{l-1} with C_l the
cyclic cross-correlation by w_l, so beta = D^{-(L-1)/2} w_1 * ... * w_L (cyclic convolutions),
and F(a * b) = sqrt D (F a)(F b)). Real weights give conjugate-symmetric F w_l, so beta is real.
:func:`end_to_end_direct` builds beta from the definition (basis vectors through the layers); the
unit tests hold the two to round-off.

Margins q_n = y_n <beta, x_n> = Re sum_k conj(z^_{n,k}) prod_l w^_{l,k} (Parseval; z_n = y_n x_n), and
    dq_n/dw_l = Re F( conj(z^_n) prod_{j != l} w^_j )      (F is symmetric).
The flow is :func:`models.homogeneous.margin_flow` on :func:`conv_model`.
"""
from __future__ import annotations

import numpy as np

from .homogeneous import MarginsJac


def dft(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Unitary DFT."""
    return np.fft.fft(x, axis=axis, norm="ortho")


def end_to_end(theta: np.ndarray, depth: int, D: int) -> np.ndarray:
    """beta with F beta = prod_l F w_l (real)."""
    W = np.asarray(theta, float).reshape(depth, D)
    return np.real(np.fft.ifft(np.prod(dft(W, axis=1), axis=0), norm="ortho"))


def forward_direct(theta: np.ndarray, depth: int, D: int, x: np.ndarray) -> float:
    """f(x) by the definition: cyclic cross-correlations with the 1/sqrt D factor, then <w_L, h>."""
    W = np.asarray(theta, float).reshape(depth, D)
    h = np.asarray(x, float)
    idx = (np.arange(D)[:, None] + np.arange(D)[None, :]) % D  # idx[d, k] = (d + k) mod D
    for l in range(depth - 1):
        h = (h[idx] @ W[l]) / np.sqrt(D)
    return float(W[-1] @ h)


def end_to_end_direct(theta: np.ndarray, depth: int, D: int) -> np.ndarray:
    """beta_j = f(e_j) from the definition (independent of the DFT)."""
    return np.array([forward_direct(theta, depth, D, e) for e in np.eye(D)])


def conv_model(X: np.ndarray, y: np.ndarray, depth: int) -> MarginsJac:
    """``margins_jac`` of the depth-L full-width cyclic conv net (see module docstring)."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    m, D = Z.shape
    Zc = np.conj(dft(Z, axis=1))

    def fun(theta):
        Wh = dft(theta.reshape(depth, D), axis=1)
        q = np.real(Zc @ np.prod(Wh, axis=0))
        J = np.empty((m, depth, D))
        for l in range(depth):
            others = np.prod(np.delete(Wh, l, axis=0), axis=0)
            J[:, l, :] = np.real(dft(Zc * others[None, :], axis=1))
        return q, J.reshape(m, depth * D)

    return fun


def is_cyclic_shape(X: np.ndarray, theta: np.ndarray | None = None, depth: int | None = None) -> str | None:
    """None if X (m x D) and, when given, theta (depth * D) fit a full-width cyclic net, else why."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] < 2:
        return f"X must be m x D with D >= 2 (one channel, full width), got shape {list(X.shape)}"
    if theta is not None and depth is not None and np.asarray(theta).size != depth * X.shape[1]:
        return (f"the start has {np.asarray(theta).size} weights; a depth-{depth} full-width cyclic net on signals of "
                f"length D = {X.shape[1]} has depth x D = {depth * X.shape[1]}")
    return None


__all__ = ["conv_model", "dft", "end_to_end", "end_to_end_direct", "forward_direct", "is_cyclic_shape"]
