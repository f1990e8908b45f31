"""Certificate of the bound |w11| >= (b12 - e)(b21 - e)/e along a 2 x 2 completion trajectory.

Razin & Cohen 2020's instance: observed w12 = b12, w21 = b21 (> 0), w22 = 0; e = ||r|| = sqrt(2L). For
any 2 x 2 W with det W > 0: w11 w22 > w12 w21 >= (b12 - e)(b21 - e) > 0 (e < min(b12, b21)) and
|w22| <= e, hence the bound. Recomputed here for every point handed over, from the raw targets and
the point's own factors: the factors multiply to the point's W (W = W_N ... W_1), det W = prod det W_j
is certified positive (each |det W_j| above its rounding error 4u(|ad| + |bc|), signs multiplying to +1),
e < min(b12, b21), and the (optionally scaled) bound holds. Tolerance 1e-10 relative: a point off the
bound by a 1e-6 relative error, a product that is not the point's W, or an uncertified det is rejected.
"""
from __future__ import annotations

import numpy as np

from ..certificate import Certificate
from .common import EPS


def _det_certified(F) -> bool:
    ad, bc = F[0, 0] * F[1, 1], F[0, 1] * F[1, 0]
    return abs(ad - bc) > 4.0 * EPS * (abs(ad) + abs(bc))


def bound_along_trajectory(raw, reference) -> Certificate:
    b = np.asarray(raw.get("targets", [1.0, 1.0, 0.0]), float)
    Ws = np.asarray(reference["W"], float)
    factor = float(reference.get("factor", 1.0))
    mismatch = viol = 0.0
    uncertified = too_far = 0
    for W, fs in zip(Ws, reference["factors"]):
        P = np.asarray(fs[0], float)
        for F in fs[1:]:
            P = np.asarray(F, float) @ P
        mismatch = max(mismatch, float(np.max(np.abs(P - W))) / max(float(np.max(np.abs(W))), 1e-300))
        signs = np.prod([np.sign(np.linalg.det(np.asarray(F, float))) for F in fs])
        if signs <= 0 or not all(_det_certified(np.asarray(F, float)) for F in fs):
            uncertified += 1
        e = float(np.sqrt((W[0, 1] - b[0]) ** 2 + (W[1, 0] - b[1]) ** 2 + (W[1, 1] - b[2]) ** 2))
        if not e < min(b[0], b[1]):
            too_far += 1
            continue
        bound = factor * (b[0] - e) * (b[1] - e) / e
        viol = max(viol, max(0.0, bound - abs(float(W[0, 0]))) / bound)
    return Certificate("independent: W = W_N..W_1, det W > 0 certified from the factors, |w11| >= (b12 - e)(b21 - e)/e "
                       "with e from the raw targets", {"product_mismatch": mismatch, "det_not_certified": float(uncertified),
                                                       "e_not_below_targets": float(too_far), "bound_violation": viol}, 1e-10)
