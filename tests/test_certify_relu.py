"""The independent ReLU certificates accept the right curvature spline / kernel interpolant and reject
wrong ones: a 1e-6 perturbation of the coefficients, broken natural ends, the wrong zeta (constant,
swapped scales), data that are not the raw y, the wrong kernel; and the non-zero f0 branch."""
from functools import partial

import numpy as np
import pytest

from solvers.certify.relu import arccos_kernel, curvature_spline, gaussian_zeta, kernel_interpolant
from solvers.curvature_penalty import zeta_gaussian
from solvers.spline import arccos_kernel_gaussian
from solvers.spline import curvature_spline as solve_spline
from solvers.spline import kernel_interpolant as solve_kernel
from theorems.audit import shared_code

X = np.array([-0.9, -0.35, 0.1, 0.45, 1.0])
Y = np.array([0.7, -1.2, 0.3, 1.1, 2.4])
SW, SB = 1.2, 0.5
RAW = {"x": X, "y": Y, "sw": SW, "sb": SB}
GRID = np.linspace(X.min(), X.max(), 41)


def _valid(c):
    return all(x.valid for x in (c if isinstance(c, list) else [c]))


def _piece(g, data):
    return {"knots": g.knots, "lam": g.lam, "a": g.alpha, "b": g.beta, "data": data, "grid": GRID,
            "values": g(GRID) - g.f0(GRID)}


def _spline(y, zeta=None, x=X):
    return solve_spline(x, y, zeta or partial(zeta_gaussian, sw=SW, sb=SB), certify=False)[0]


def test_no_shared_code():
    assert not shared_code(curvature_spline) and not shared_code(kernel_interpolant)


def test_zeta_and_kernel_recomputed_agree_with_the_solvers():
    t = np.linspace(-3, 3, 13)
    assert np.allclose(gaussian_zeta(t, SW, SB), zeta_gaussian(t, SW, SB), rtol=1e-14)
    assert np.allclose(arccos_kernel(t, t, SW, SB), arccos_kernel_gaussian(SW, SB)(t, t), rtol=1e-12, atol=1e-14)


def test_right_spline_is_certified():
    g = _spline(Y)
    assert _valid(curvature_spline(RAW, {"splines": [_piece(g, Y)]}))


def test_spline_with_cardinals_is_certified_and_a_wrong_cardinal_is_not():
    g = _spline(Y)
    eye = np.eye(X.size)
    cards = [_piece(_spline(eye[j]), eye[j]) for j in range(X.size)]
    assert _valid(curvature_spline(RAW, {"splines": [_piece(g, Y)] + cards}))
    swapped = cards[:]
    swapped[0], swapped[1] = cards[1], cards[0]
    assert not _valid(curvature_spline(RAW, {"splines": [_piece(g, Y)] + swapped}))


@pytest.mark.parametrize("what", ["lam", "a", "b", "values"])
def test_perturbed_spline_is_rejected(what):
    g = _spline(Y)
    p = _piece(g, Y)
    if what == "lam":
        p["lam"] = p["lam"].copy()
        p["lam"][2] *= 1 + 1e-6
    elif what == "values":
        p["values"] = p["values"] * (1 + 1e-6)
    else:
        p[what] = p[what] + 1e-6 * max(1.0, abs(p[what]))
    assert not _valid(curvature_spline(RAW, {"splines": [p]}))


def test_wrong_zeta_and_broken_ends_are_rejected():
    # the natural cubic spline (constant zeta) and swapped scales do not interpolate with the right zeta
    for zeta in (lambda t: np.ones_like(np.asarray(t, float)), partial(zeta_gaussian, sw=SB, sb=SW)):
        assert not _valid(curvature_spline(RAW, {"splines": [_piece(_spline(Y, zeta), Y)]}))
    p = _piece(_spline(Y), Y)
    p["lam"] = p["lam"].copy()
    p["lam"][0] = 1e-3 * np.max(np.abs(p["lam"]))
    assert not _valid(curvature_spline(RAW, {"splines": [p]}))


def test_data_must_be_the_raw_y():
    g = _spline(Y + 0.1)
    assert not _valid(curvature_spline(RAW, {"splines": [_piece(g, Y + 0.1)]}))


def test_nonzero_f0_branch_of_the_solver():
    """g* with an initial function f0 is f0 + the spline of y - f0(x_j) (the solver's f0 branch),
    whose h part the independent certificate accepts for the data y - f0(x_j)."""
    f0 = lambda t: 0.3 * np.sin(3.0 * np.asarray(t, float)) + 0.2 * np.abs(np.asarray(t, float))  # noqa: E731
    zeta = partial(zeta_gaussian, sw=SW, sb=SB)
    g, cert = solve_spline(X, Y, zeta, f0=f0)
    assert cert.valid, cert
    assert np.allclose(g(X), Y, atol=1e-11)
    h = _spline(Y - f0(X))
    assert np.allclose(g(GRID), f0(GRID) + h(GRID), atol=1e-12)
    raw = {**RAW, "y": Y - f0(X)}
    assert _valid(curvature_spline(raw, {"splines": [{**_piece(g, Y - f0(X)), "values": g(GRID) - f0(GRID)}]}))
    # forgetting f0 (the spline of y itself) is not g*
    assert np.max(np.abs(_spline(Y)(GRID) - g(GRID))) > 1e-2


def _kpiece(g, data):
    return {"x": g.x, "coef": g.coef, "affine": g.affine, "data": data, "grid": GRID, "values": g(GRID) - g.f0(GRID)}


def test_kernel_certificate():
    K = arccos_kernel_gaussian(SW, SB)
    g, _ = solve_kernel(K, X, Y)
    assert kernel_interpolant(RAW, {"kernels": [_kpiece(g, Y)]}).valid
    bad = _kpiece(g, Y)
    bad["coef"] = bad["coef"] * (1 + 1e-6)
    assert not kernel_interpolant(RAW, {"kernels": [bad]}).valid
    bad = _kpiece(g, Y)
    bad["values"] = bad["values"] + 1e-6
    assert not kernel_interpolant(RAW, {"kernels": [bad]}).valid
    g2, _ = solve_kernel(arccos_kernel_gaussian(SB, SW), X, Y)  # swapped scales
    assert not kernel_interpolant(RAW, {"kernels": [_kpiece(g2, Y)]}).valid
    eye = np.eye(X.size)
    cards = [_kpiece(solve_kernel(K, X, eye[j])[0], eye[j]) for j in range(X.size)]
    assert kernel_interpolant(RAW, {"kernels": [_kpiece(g, Y)] + cards}).valid


def test_affine_free_kernel_interpolant_passes_its_own_data():
    K = arccos_kernel_gaussian(SW, SB)
    g, cert = solve_kernel(K, X, Y, affine_free=True)
    assert cert.valid
    assert kernel_interpolant(RAW, {"kernels": [_kpiece(g, Y)]}).valid


# ---- the curvature penalty zeta (Thm 6) and Prop 7's prescribed penalty: solvers.certify.relu_penalty ----------
# The solver's (solvers.curvature_penalty) own certificate is scipy quad's error estimate, reported while computing:
# it takes no answer, so it cannot be fed a wrong one; these tests feed wrong answers to the independent one.

from solvers.certify.relu_penalty import RTOL, independent_zeta, prop7_penalty, zeta_identity  # noqa: E402
from solvers.curvature_penalty import quadrature_zeta_for  # noqa: E402
from theorems.families.relu.penalty import KINDS, _prop7_setup  # noqa: E402
from theorems.resolution import moved  # noqa: E402

ZRAW = {"sw": 1.3, "sb": 0.6, "a_w": 0.8, "a_b": 1.7,
        "x": np.array([-3.1, -2.2, -0.9, -0.05, 0.0, 0.4, 1.3, 2.15, 2.5])}  # inside and outside |x| <= a_b, a_b/a_w


def _zeta_reference(raw, **scales_override):
    sc = {"gaussian": ("sw", "sb"), "binary-uniform": ("a_b",), "uniform": ("a_w", "a_b")}
    r = dict(raw, **scales_override)
    return {"x": raw["x"], "zeta": {k: quadrature_zeta_for(k, raw["x"], **{n: r[n] for n in sc[k]})[0] for k in KINDS}}


def test_zeta_certificate_shares_no_code():
    assert not shared_code(zeta_identity) and not shared_code(prop7_penalty)


def test_zeta_certificate_accepts_the_quadrature_and_its_own_orders_agree():
    c = zeta_identity(ZRAW, _zeta_reference(ZRAW))
    assert c.valid, c
    assert c.worst < 1e-13  # measured ~4e-15: far inside RTOL = 1e-10 (quad is asked for 1e-11)
    assert c.residuals["gauss_legendre_orders_20_vs_40"] < 1e-13


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("salt", ["a", "b", "c"])
def test_zeta_certificate_rejects_a_1e6_random_perturbation(kind, salt):
    ref = _zeta_reference(ZRAW)
    ref["zeta"][kind] = moved(ref["zeta"][kind], 1e-6, salt)
    assert not zeta_identity(ZRAW, ref).valid


def test_zeta_certificate_rejects_wrong_scales_points_and_a_missing_kind():
    assert not zeta_identity(ZRAW, _zeta_reference(ZRAW, sw=ZRAW["sb"], sb=ZRAW["sw"])).valid  # sw, sb swapped
    assert not zeta_identity(ZRAW, _zeta_reference(ZRAW, a_b=ZRAW["a_b"] * (1 + 1e-9))).valid  # a_b off by 1e-9
    ref = _zeta_reference(ZRAW)
    assert not zeta_identity(dict(ZRAW, x=ZRAW["x"] + 1e-3), ref).valid  # not at the raw x
    del ref["zeta"]["uniform"]
    assert not zeta_identity(ZRAW, ref).valid
    # the uniform initialization's support forgotten (w over all of [-a_w, a_w] whatever x): wrong beyond a_b/a_w
    ref = _zeta_reference(ZRAW)
    ref["zeta"]["uniform"] = np.full(ZRAW["x"].size, ZRAW["a_w"] ** 3 / (8.0 * ZRAW["a_b"]))
    assert not zeta_identity(ZRAW, ref).valid


def test_independent_zeta_is_a_different_route_to_the_same_values():
    ref = _zeta_reference(ZRAW)
    for kind in KINDS:
        v, err = independent_zeta(kind, ZRAW["x"], ZRAW)
        assert np.allclose(v, ref["zeta"][kind], rtol=1e-13, atol=0) and err < 1e-13


PROP7 = [{"rho_family": f, "ell": ell, "shift": m, "kappa": k, "s": 1.4, "seed": 0, "samples": 10_000}
         for f, ell, m, k in ((0, 0.5, 1.2, 2.0), (1, 1.3, 0.3, 0.4), (2, 0.4, 1.5, 3.0))]


def _prop7_reference(raw):
    init, x, q, _, _, _ = _prop7_setup(raw)
    return {"x": x, "zeta": q, "Z": init.Z}


@pytest.mark.parametrize("raw", PROP7, ids=["gauss", "cosh", "bumps"])
def test_prop7_certificate(raw):
    ref = _prop7_reference(raw)
    c = prop7_penalty(raw, ref)
    assert c.valid and c.worst < 1e-13, c
    for salt in ("a", "b"):
        assert not prop7_penalty(raw, dict(ref, zeta=moved(ref["zeta"], 1e-6, salt))).valid
    assert not prop7_penalty(raw, dict(ref, Z=ref["Z"] * (1 + 1e-6))).valid
    # zeta and Z consistently wrong (a normalizer that missed mass): the statement s^2/(Z rho) would agree
    assert not prop7_penalty(raw, dict(ref, Z=ref["Z"] * (1 - 1e-6), zeta=ref["zeta"] / (1 - 1e-6))).valid
    # another family's / another s's reference
    assert not prop7_penalty(dict(raw, s=1.4 * (1 + 1e-6)), ref).valid
    assert not prop7_penalty(dict(raw, rho_family=(raw["rho_family"] + 1) % 3), ref).valid
    assert RTOL < 1e-8  # a hundredth of the claims' declared resolution
