"""Optimality certificates returned by every reference solver (in the spirit of CVXPY's
solver test helpers: feasibility, complementarity, stationarity, duality gap)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Certificate:
    """Optimality evidence for a reference solution.

    ``residuals`` are non-negative numbers (KKT residuals, duality gap, defining-equation
    residual, disagreement between two independent routes); the certificate is valid when each
    is finite and at most ``tolerance``. ``tolerance`` is what the consumer needs, stated by the
    solver from the problem's scale (e.g. a few hundred ulps of ||w||).
    """

    name: str
    residuals: Mapping[str, float]
    tolerance: float

    @property
    def valid(self) -> bool:
        return all(math.isfinite(float(r)) and float(r) <= self.tolerance for r in self.residuals.values())

    @property
    def worst(self) -> float:
        vals = [float(r) for r in self.residuals.values()]
        return max(vals) if vals else 0.0

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "residuals": {k: (float(v) if math.isfinite(float(v)) else None) for k, v in self.residuals.items()},
            "tolerance": float(self.tolerance),
            "valid": self.valid,
        }
