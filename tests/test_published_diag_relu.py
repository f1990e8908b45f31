"""Published configurations of the diagonal-net and ReLU families: they build, satisfy the claims'
assumptions, and the claims' checks pass on them with valid independent certificates."""
import numpy as np
import pytest

from theorems import registry
from theorems.instances import prepare_instance
from theorems.published import get_published
from theorems.published.diag_relu import WOODWORTH_SUPPORT, woodworth_sparse_data


def _evaluate(name, cid, **override):
    p = get_published(name)
    assert cid in p.claims
    claim = registry.get(cid)
    inst = prepare_instance(claim, {**p.build(cid), **override}, name, [])
    return p, claim.evaluate(inst)


def test_woodworth_data_is_the_public_codes_stream():
    X, y, w_star = woodworth_sparse_data()
    assert X.shape == (100, 1000) and y.shape == (100,)
    assert tuple(np.flatnonzero(w_star)) == tuple(sorted(WOODWORTH_SUPPORT))
    assert np.allclose(w_star[list(WOODWORTH_SUPPORT)], 1 / np.sqrt(5))
    # the code's multivariate_normal(0, I) draws the same numbers as standard_normal
    rs = np.random.RandomState(1993)
    assert np.array_equal(rs.multivariate_normal(np.zeros(1000), np.eye(1000), size=2)[0], X[0])


@pytest.mark.parametrize("name", ["woodworth-sparse-d1000", "woodworth-sparse-d1000-alpha-0.1", "woodworth-sparse-d1000-alpha-1"])
def test_woodworth_flow_lands_on_argmin_q_alpha(name):
    p, ev = _evaluate(name, "diag-net-q-alpha")
    assert ev.outcome == "pass", ev.why()
    assert any(c.name.startswith("independent") and c.valid for c in ev.certificates)
    assert ev.details["reduced_flow"] and ev.gap < 1e-10
    said = p.ours("diag-net-q-alpha", ev)
    assert "beta_l1" in said and "population error" in said


def test_woodworth_small_alpha_is_near_the_min_l1_interpolant():
    from solvers.q_depth import min_l1_vertex

    X, y, _ = woodworth_sparse_data()
    _, ev = _evaluate("woodworth-sparse-d1000", "diag-net-q-alpha")
    l1 = min_l1_vertex(X, y)[0]
    beta = ev.reference["beta"]
    assert np.linalg.norm(beta - l1) < 0.1 * np.linalg.norm(l1)  # rich regime at alpha = 1e-3: 5e-2 measured
    _, ev1 = _evaluate("woodworth-sparse-d1000-alpha-1", "diag-net-q-alpha")
    assert np.linalg.norm(ev1.reference["beta"] - l1) > 0.5 * np.linalg.norm(l1)  # kernel side at alpha = 1


@pytest.mark.parametrize("cid", ["relu-curvature-penalty-zeta", "relu-zeta-monte-carlo"])
def test_jin_montufar_initializations(cid):
    p, ev = _evaluate("jin-montufar-toy", cid)
    assert ev.outcome == "pass", ev.why()
    assert p.ours(cid, ev)


def test_jin_montufar_toy_spline_limit_on_a_short_sweep():
    """Their data and Gaussian initialization; widths shortened here to keep the test fast (the
    configuration itself sweeps 256..16384 x 4 seeds)."""
    p, ev = _evaluate("jin-montufar-toy", "relu-spline-limit", widths=np.array([256, 1024, 4096, 16384]), n_seeds=3)
    assert ev.outcome == "pass", ev.why()
    assert all(c.valid for c in ev.certificates)
    assert "fitted order" in p.ours("relu-spline-limit", ev)
