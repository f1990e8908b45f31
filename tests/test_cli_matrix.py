"""``claims check ID --instance FILE`` for the matrix family: bad input (non-symmetric A_i for a PSD
claim, non-commuting A_i for a commuting claim, unreachable y, non-finite numbers, det W0 <= 0,
repeated completion entries) gives one line ``claims: error: ...`` and exit 2; good instances run."""
from __future__ import annotations

import json

import numpy as np
import pytest

from theorems import cli
from theorems.strategies.matrix_sensing import embed, lp_vertex_system, symmetric_gaussian

KL = "matrix-sensing-commuting-kl-projection"
RAZIN = "matrix-completion-not-nuclear-norm"
CONJ = "matrix-sensing-nuclear-norm-conjecture"


def _commuting(seed=0, n=4, m=2):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    a, y, _, _ = lp_vertex_system(rng, m, n, 0.4, 1.0)
    x0 = rng.uniform(0.2, 0.6, n)
    return {"A": embed(a, Q), "y": y, "X0": (Q * x0) @ Q.T}


def _write(tmp_path, inst, name="i.json"):
    p = tmp_path / name
    p.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}))
    return str(p)


def _one_line_error(capsys, argv, *words):
    code = cli.main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("claims: error:"), err
    for w in words:
        assert w in lines[0], lines[0]


def _bad(kind):
    inst = _commuting()
    if kind == "non-symmetric":
        inst["A"] = inst["A"].copy()
        inst["A"][0, 0, 1] += 0.3
    elif kind == "non-commuting":
        inst["A"] = inst["A"].copy()
        inst["A"][1] = symmetric_gaussian(np.random.default_rng(1), 1, 4)[0]
    elif kind == "unreachable":  # <A_1, X> = x_1 + x_2 = -1 is impossible for X PSD commuting with diagonal A_i
        inst = {"A": np.stack([np.diag([1.0, 1.0, 0.0, 0.0]), np.diag([0.0, 0.0, 1.0, 1.0])]), "y": np.array([-1.0, 1.0]),
                "X0": np.diag([0.1, 0.2, 0.3, 0.4])}
    elif kind == "indefinite-start":
        inst["X0"] = -inst["X0"]
    elif kind == "wrong-shape":
        inst["X0"] = np.eye(3)
    return inst


@pytest.mark.parametrize("kind,words", [
    ("non-symmetric", ["not symmetric"]),
    ("non-commuting", ["do not commute"]),
    ("unreachable", ["not reachable"]),
    ("indefinite-start", ["positive definite"]),
    ("wrong-shape", ["X0 has shape"]),
])
def test_bad_commuting_instances(tmp_path, capsys, kind, words):
    _one_line_error(capsys, ["check", KL, "--instance", _write(tmp_path, _bad(kind))], *words)


def test_non_finite_numbers(tmp_path, capsys):
    inst = _commuting()
    inst["y"] = np.array([np.nan, 1.0])
    path = tmp_path / "i.npz"
    np.savez(path, **inst)
    _one_line_error(capsys, ["check", KL, "--instance", str(path)], "non-finite", "y")


def test_razin_instance_needs_positive_det(tmp_path, capsys):
    _one_line_error(capsys, ["check", RAZIN, "--instance", _write(tmp_path, {"W0": [[0.0, 1.0], [1.0, 0.0]]})],
                    "det W0", "<= 0")
    _one_line_error(capsys, ["check", RAZIN, "--instance",
                             _write(tmp_path, {"W0": np.eye(2) * 0.1, "targets": [1.0, 1.0, 0.5]})], "w22 = 0")


def test_conjecture_bad_operator(tmp_path, capsys):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 3, 3))  # not symmetric, psd = 1 by default
    _one_line_error(capsys, ["check", CONJ, "--instance", _write(tmp_path, {"A": A, "y": np.ones(6), "init_scale": 1e-3})],
                    "symmetric")
    E = np.array([[0, 1], [0, 1], [1, 1]])
    _one_line_error(capsys, ["check", CONJ, "--instance", _write(tmp_path, {
        "entries": E, "shape": [2, 2], "y": [1.0, 1.0, 0.0], "init_scale": 1e-2, "psd": 0})], "repeated")
    # y = -1 on a diagonal entry: no PSD matrix has it
    _one_line_error(capsys, ["check", CONJ, "--instance", _write(tmp_path, {
        "entries": [[0, 0]], "shape": [2, 2], "y": [-1.0], "init_scale": 1e-2})], "not reachable")


def test_good_instances_run(tmp_path, capsys):
    assert cli.main(["check", KL, "--instance", _write(tmp_path, _commuting())]) == 0
    out = capsys.readouterr().out
    assert "outcome: pass" in out
    # the paper's instance with defaults (depth 3, targets (1, 1, 0), loss_min 1e-6): the statement fails
    code = cli.main(["check", RAZIN, "--instance", _write(tmp_path, {"W0": [[0.05, 0.01], [-0.02, 0.04]]})])
    out = capsys.readouterr().out
    assert code == 0 and "outcome: fail" in out


def test_razin_loss_min_below_the_breakdown_level(tmp_path, capsys):
    # the auditor's input ran 79 s (loss_min 1e-14) and 96 s (1e-30) before det > 0 broke: refused at once
    for lm in (1e-14, 1e-30):
        _one_line_error(capsys, ["check", RAZIN, "--instance", _write(tmp_path, {
            "W0": [[1e-3, 2e-4], [-1e-4, 1e-3]], "depth": 3, "loss_min": lm})], "loss_min", "round-off breaks det > 0")


def test_conjecture_truth_shape(tmp_path, capsys):
    rng = np.random.default_rng(0)
    G = rng.standard_normal((6, 3, 3))
    A = G + np.swapaxes(G, 1, 2)
    _one_line_error(capsys, ["check", CONJ, "--instance", _write(tmp_path, {
        "A": A, "y": np.ones(6), "init_scale": 1e-3, "truth": np.eye(2)})], "truth has shape")
