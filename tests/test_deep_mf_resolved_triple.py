"""deep-matrix-factorization-singular-values on the thorough profile's slow instance (2 x 2 completion of
w21, w22, w11, depth 2, det W0 < 0). det W keeps its sign, the flow settles toward a rank-1 point
(residual ~0.11) and sigma_2 -> 0 exponentially: sigma_2 / sigma_1 ~ eps at t ~ 150. Past it the SVD of the
rounded product decides the sign of u_2 v_2^T, the integrand of I_2 flips with rounding noise and LSODA at
rtol 1e-13 crawled (integrating to t = 220 did not end in 100 s; 560 s for the claim's thorough profile).
The run now stops where sigma_k = 4 N k eps prod ||W_j||_F (the product no longer resolves the triple)."""
import time

import numpy as np

from theorems import registry
from theorems.engine import safe_evaluate
from theorems.families.matrix.deep import SV_RESOLUTION, sv_run, triple_resolved

CLAIM = "deep-matrix-factorization-singular-values"
INSTANCE = {
    "A": np.array([[[0.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]]]),
    "y": np.array([-0.09477726837773288, -0.0633714117096894, -0.17666945442949752]),
    "W0": np.array([[-0.04407129250960687, 0.3369497068550343], [0.26540271046061414, 0.08959843748230499]]),
    "depth": 2, "seed": 955892047,
}


def test_slow_instance_stops_where_the_smallest_triple_is_unresolved_and_passes_fast():
    i = INSTANCE
    t0 = time.perf_counter()
    run = sv_run.__wrapped__(i["A"], i["y"], i["W0"], i["depth"], i["seed"])  # integrated here, not memoized
    assert time.perf_counter() - t0 < 30.0
    assert run.stop == "guard" and 100.0 < run.t < 200.0 and run.steps < 5000
    assert 0.10 < run.residual < 0.12  # the residual target 1e-3 ||y|| is out of reach
    s = np.linalg.svd(run.X, compute_uv=False)
    assert s[1] < 1e-14 * s[0] and abs(triple_resolved(run.factors, run.X)) < 1e-15
    assert np.linalg.det(i["W0"]) < 0 and all(np.linalg.det(F) != 0 for F in run.factors)

    c = registry.get(CLAIM)
    t0 = time.perf_counter()
    ev = safe_evaluate(c, INSTANCE, dict(c.params))
    assert ev.outcome == "pass", ev.why()
    assert ev.details["stop"] == "guard" and ev.details["window_t"] == ev.details["t_end"]
    assert ev.details["window_power"] > 10 * ev.tolerance and ev.gap < 1e-2 * ev.tolerance
    for m in c.mutants:
        e = safe_evaluate(c, INSTANCE, {**c.params, **m.overrides})
        assert e.outcome == "fail", (m.id, e.why())
    e = safe_evaluate(c, INSTANCE, {**c.params, **c.resolution.mutate(c.params, SV_RESOLUTION)})
    assert e.outcome == "fail", e.why()
    assert time.perf_counter() - t0 < 30.0
