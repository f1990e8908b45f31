"""Convex per-sample losses of the residual r = <w, x_i> - y_i with a unique zero at r = 0.

Each loss is a small pure object: ``value(r)``, ``grad(r)`` (= l'(r)), and ``curvature``, an upper
bound on l''(r), so a step size eta < 2 / (curvature * sigma_max(X)^2) is admissible for GD on
L(w) = sum_i l(<w, x_i> - y_i). Theorem 1 of Gunasekar et al. (2018a) (notes 002) covers every such
loss: the GD limit is the min-distance interpolant, whatever l is.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Loss:
    name: str
    delta: float = 1.0

    @property
    def curvature(self) -> float:
        # squared: l'' = 1; pseudo-Huber: l'' = (1 + (r/delta)^2)^(-3/2) <= 1; log-cosh: sech^2 <= 1
        return 1.0

    def value(self, r: np.ndarray) -> np.ndarray:
        if self.name == "squared":
            return 0.5 * r**2
        if self.name == "pseudo-huber":
            return self.delta**2 * (np.sqrt(1.0 + (r / self.delta) ** 2) - 1.0)
        if self.name == "log-cosh":
            a = np.abs(r)  # log cosh r = |r| + log1p(exp(-2|r|)) - log 2, overflow-free
            return a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)
        raise ValueError(f"unknown loss {self.name!r}")

    def grad(self, r: np.ndarray) -> np.ndarray:
        if self.name == "squared":
            return r
        if self.name == "pseudo-huber":
            return r / np.sqrt(1.0 + (r / self.delta) ** 2)
        if self.name == "log-cosh":
            return np.tanh(r)
        raise ValueError(f"unknown loss {self.name!r}")


SQUARED = Loss("squared")
LOSSES = ("squared", "pseudo-huber", "log-cosh")


def loss_by_name(name: str, delta: float = 1.0) -> Loss:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r} (choose from {', '.join(LOSSES)})")
    return Loss(name, delta)
