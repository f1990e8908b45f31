"""Fully connected deep linear networks f(x) = W_N ... W_2 W_1 x (scalar output) on separable data.

Layers W_1 in R^{h x d}, W_2..W_{N-1} in R^{h x h}, W_N in R^{1 x h}; theta packs them in that
order. The end-to-end predictor is beta = (W_N ... W_1)^T in R^d and the model is N-homogeneous in
theta. Margins q_n = y_n <beta, x_n>, and
    dq_n / dW_l = y_n (W_N ... W_{l+1})^T (W_{l-1} ... W_1 x_n)^T   (an outer product).
Ji & Telgarsky 2019 (ICLR, "Gradient descent aligns the layers of deep linear networks"): on
separable data with the exp or logistic loss, gradient flow (and GD with small steps) drives the
risk to 0, each W_l / ||W_l||_F to a rank-one u_{l+1} u_l^T with aligned adjacent singular
vectors, and beta / ||beta|| to the l2 max-margin direction; notes 000/001 ("Deep Linear
Networks") state the last part. :func:`layer_alignment` measures the first two.

The flow itself is :func:`models.homogeneous.margin_flow` on :func:`deep_linear_model`.
"""
from __future__ import annotations

import numpy as np

from .homogeneous import MarginsJac


def layer_shapes(d: int, width: int, depth: int) -> list[tuple[int, int]]:
    if depth < 2:
        raise ValueError(f"depth must be >= 2, got {depth}")
    return [(width, d)] + [(width, width)] * (depth - 2) + [(1, width)]


def unpack(theta: np.ndarray, d: int, width: int, depth: int) -> list[np.ndarray]:
    out, k = [], 0
    for r, c in layer_shapes(d, width, depth):
        out.append(theta[k:k + r * c].reshape(r, c))
        k += r * c
    if k != len(theta):
        raise ValueError(f"theta has {len(theta)} entries, the layers need {k}")
    return out


def pack(layers: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([W.ravel() for W in layers])


def end_to_end(theta: np.ndarray, d: int, width: int, depth: int) -> np.ndarray:
    """beta = (W_N ... W_1)^T."""
    P = np.eye(d)
    for W in unpack(theta, d, width, depth):
        P = W @ P
    return P.ravel()


def deep_linear_model(X: np.ndarray, y: np.ndarray, width: int, depth: int) -> MarginsJac:
    """``margins_jac`` of the depth-N, width-h linear net (see module docstring)."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    m, d = Z.shape

    def fun(theta):
        Ws = unpack(theta, d, width, depth)
        rights = [Z.T]  # rights[l] = W_{l-1} ... W_1 Z^T  (cols_l x m)
        for W in Ws[:-1]:
            rights.append(W @ rights[-1])
        lefts = [np.ones((1, 1))]  # lefts[l] (from the top) = W_N ... W_{l+1}  (1 x rows_l)
        for W in reversed(Ws[1:]):
            lefts.append(lefts[-1] @ W)
        lefts = lefts[::-1]
        q = (Ws[-1] @ rights[-1]).ravel()
        J = np.hstack([(lefts[l].T[None, :, :] * rights[l].T[:, None, :]).reshape(m, -1) for l in range(depth)])
        return q, J

    return fun


def balanced_init(rng: np.random.Generator, d: int, width: int, depth: int, scale: float) -> np.ndarray:
    """A rank-one balanced start W_l = scale v_{l+1} v_l^T (unit v_l; v_1 in R^d, v_{N+1} = 1):
    W_{l+1}^T W_{l+1} = W_l W_l^T, the invariant of the flow is then zero."""
    vs = [rng.standard_normal(d)] + [rng.standard_normal(width) for _ in range(depth - 1)] + [np.ones(1)]
    vs = [v / np.linalg.norm(v) for v in vs]
    return pack([scale * np.outer(vs[l + 1], vs[l]) for l in range(depth)])


def layer_alignment(theta: np.ndarray, d: int, width: int, depth: int) -> dict[str, np.ndarray]:
    """Per layer: rank-one share sigma_1^2 / ||W_l||_F^2, and for adjacent layers |<v_{l+1}, u_l>|
    (top right singular vector of W_{l+1} against the top left one of W_l); the first layer's
    top right singular vector against beta / ||beta|| (all -> 1 under Ji & Telgarsky 2019)."""
    Ws = unpack(theta, d, width, depth)
    shares, us, vs = [], [], []
    for W in Ws:
        U, s, Vt = np.linalg.svd(W, full_matrices=False)
        shares.append(s[0] ** 2 / max(float(np.sum(s**2)), 1e-300))
        us.append(U[:, 0])
        vs.append(Vt[0])
    adj = [abs(float(vs[l + 1] @ us[l])) for l in range(depth - 1)]
    beta = end_to_end(theta, d, width, depth)
    first = abs(float(vs[0] @ beta)) / max(float(np.linalg.norm(beta)), 1e-300)
    return {"rank_one_share": np.array(shares), "adjacent_alignment": np.array(adj), "first_layer_vs_beta": first}


def imbalance(theta: np.ndarray, d: int, width: int, depth: int) -> np.ndarray:
    """||W_{l+1}^T W_{l+1} - W_l W_l^T||_F per adjacent pair: conserved by gradient flow."""
    Ws = unpack(theta, d, width, depth)
    return np.array([float(np.linalg.norm(Ws[l + 1].T @ Ws[l + 1] - Ws[l] @ Ws[l].T)) for l in range(depth - 1)])


__all__ = ["balanced_init", "deep_linear_model", "end_to_end", "imbalance", "layer_alignment", "layer_shapes",
           "pack", "unpack"]
