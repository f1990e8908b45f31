"""Bad input for the entry-10 claims: one line 'claims: error: ...' and exit 2 (in-process)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from theorems import cli


def _write(tmp_path, inst):
    p = tmp_path / "i.json"
    p.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}))
    return str(p)


def _one_line(capsys, words):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("claims: error:"), err
    for w in words:
        assert w in err[0], err[0]


NONSEP = {"X": [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], "y": [1.0, -1.0], "alpha": 0.5}
SYS = {"X": [[1.0, 0.2, 0.0, 0.1], [0.0, 1.0, 0.3, 0.0]], "y": [1.0, -0.5]}


@pytest.mark.parametrize("cid,inst,words", [
    ("diag-net-exp-loss-path", NONSEP, ["not linearly separable"]),
    ("diag-net-exp-loss-l1-max-margin", NONSEP, ["not linearly separable"]),
    ("diag-net-exp-loss-transition", {"X": NONSEP["X"], "y": NONSEP["y"]}, ["not linearly separable"]),
    ("deep-diag-net-exp-loss-kkt", NONSEP, ["not linearly separable"]),
    ("diag-net-exp-loss-path", {**NONSEP, "X": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "alpha": 0.0}, ["alpha"]),
    ("diag-net-exp-loss-path", {**NONSEP, "X": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "alpha": -1.0}, ["alpha"]),
    ("diag-net-width-k-exact", {**SYS, "k": 0, "sigma": 0.5}, ["k = 0 < 1"]),
    ("diag-net-width-k-exact", {**SYS, "k": 2, "sigma": float("nan")}, ["non-finite"]),
    ("diag-net-width-k-exact", {**SYS, "k": 2, "sigma": float("inf")}, ["non-finite"]),
    ("diag-net-width-k-limit", {**SYS, "mu": 0.0}, ["mu"]),
    ("deep-diag-net-exp-loss-kkt", {"X": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "y": [1.0, -1.0], "alpha": 0.5, "depth": 2},
     ["depth"]),
    ("kernel-regime-tangent-interpolant", {"X": [[1.0, 0.0], [0.0, 1.0]], "y": [1.0, 2.0], "width": 3}, ["even width"]),
    ("kernel-regime-tangent-interpolant", {"X": [[1.0, 0.5], [1.0, 0.5]], "y": [1.0, 2.0], "width": 8},
     ["tangent kernel", "singular"]),
    ("diag-net-width-k-limit", {**SYS, "mu": -2.0}, ["mu"]),
    # a later assumption (the tangent kernel on X) must not crash on a width an earlier one rejects
    ("kernel-regime-tangent-interpolant", {"X": [[1.0, 0.0], [0.0, 1.0]], "y": [1.0, 2.0], "width": 0}, ["even width"]),
    ("kernel-regime-tangent-interpolant", {"X": [[1.0, 0.0], [0.0, 1.0]], "y": [1.0, 2.0], "width": -2}, ["even width"]),
    # the exact claim integrates the 2dk-dim ODE as written: k = 1e4 would need a 51 GB Jacobian
    ("diag-net-width-k-exact", {**SYS, "k": 10000, "sigma": 0.01}, ["d k = 40000 > 2048", "diag-net-width-k-limit"]),
    ("diag-net-exp-loss-l1-max-margin", {**NONSEP, "X": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "alpha": float("inf")},
     ["non-finite"]),
    ("diag-net-exp-loss-transition", {"X": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "y": [1.0, 0.5]}, ["labels"]),
])
def test_bad_input(tmp_path, capsys, cid, inst, words):
    path = tmp_path / "i.json"
    path.write_text(json.dumps(inst).replace("NaN", "NaN").replace("Infinity", "Infinity"))
    assert cli.main(["check", cid, "--instance", str(path)]) == 2
    _one_line(capsys, words)


def test_good_instance_passes(tmp_path, capsys):
    inst = {**SYS, "k": 2, "sigma": 0.5}
    assert cli.main(["check", "diag-net-width-k-exact", "--instance", _write(tmp_path, inst)]) == 0
    assert "outcome: pass" in capsys.readouterr().out
