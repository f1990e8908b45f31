"""Bad input to the deeper-family claims gives one line `claims: error: ...` and exit 2 (in-process)."""
import json

import numpy as np
import pytest

from theorems import cli


def _check(tmp_path, capsys, cid, inst):
    path = tmp_path / "i.json"
    path.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}))
    code = cli.main(["check", cid, "--instance", str(path)])
    err = [l for l in capsys.readouterr().err.splitlines() if l.strip()]
    return code, err


SEP = {"X": [[1.0, 0.2, 0.0], [-1.0, 0.1, 0.3], [0.8, -0.5, 0.1]], "y": [1.0, -1.0, 1.0]}


@pytest.mark.parametrize("cid,inst,words", [
    ("deep-linear-net-l2-max-margin", {"X": [[1.0, 0.0], [2.0, 0.0]], "y": [1.0, -1.0], "depth": 2, "width": 1,
                                       "theta0": [1.0, 0.0, 1.0]}, ["not linearly separable"]),
    ("deep-linear-net-l2-max-margin", {**SEP, "y": [1.0, 2.0, -1.0], "depth": 2, "width": 1, "theta0": [1, 0, 0, 1]},
     ["labels must be +1 or -1"]),
    ("deep-linear-net-l2-max-margin", {**SEP, "depth": 2, "width": 2, "theta0": [1.0, 0.0]}, ["theta0 has 2 entries"]),
    ("linear-conv-net-dft-l1-max-margin", {**SEP, "depth": 2, "theta0": [0.1] * 5}, ["full-width cyclic", "depth x D"]),
    ("linear-conv-net-deep-kkt", {**SEP, "y": [1.0, 0.0, -1.0], "depth": 3, "theta0": [0.1] * 9}, ["labels must be +1 or -1"]),
    ("multiclass-softmax-svm-direction", {"X": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "labels": [0, 2, 2],
                                          "W0": [[0.0, 0.0]] * 3}, ["class 1 is empty"]),
    ("multiclass-softmax-svm-direction", {"X": [[1.0, 0.0], [1.0, 0.0]], "labels": [0, 1], "W0": [[0.0, 0.0]] * 2},
     ["not separable"]),
    ("gd-separable-regularization-path", {"X": [[1.0, 0.0], [2.0, 0.0]], "y": [1.0, -1.0], "w0": [0.0, 0.0]},
     ["not linearly separable"]),
    ("normalized-gd-fast-margin-rate", {**SEP, "y": [1.0, -1.0, 3.0], "w0": [0.0, 0.0, 0.0]}, ["labels must be +1 or -1"]),
    ("homogeneous-smoothed-margin-monotone", {**SEP, "model": 2, "degree": 2, "width": 2, "theta0": [0.1] * 8},
     ["3-homogeneous"]),
    # XOR: no linear predictor (deep linear, diagonal) separates it, so L never drops below 1
    ("homogeneous-smoothed-margin-monotone", {"X": [[1, 1], [-1, -1], [1, -1], [-1, 1]], "y": [1, 1, -1, -1], "model": 0,
                                              "degree": 2, "width": 2, "theta0": [0.1, 0.2, 0.3, 0.1, 0.5, 0.4]},
     ["separates the data", "not linearly separable"]),
    ("homogeneous-smoothed-margin-monotone", {"X": [[1, 0], [2, 0]], "y": [1, -1], "model": 2, "degree": 3, "width": 2,
                                              "theta0": [0.3, -0.2, 0.5, 0.1, 0.2, -0.4]}, ["by a quadratic form"]),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, cid, inst, words):
    code, err = _check(tmp_path, capsys, cid, inst)
    assert code == 2 and len(err) == 1 and err[0].startswith("claims: error:"), err
    for w in words:
        assert w in err[0], err[0]


def test_a_good_instance_with_defaults_runs(tmp_path, capsys):
    inst = {"X": [[1.0, 0.3], [-0.2, -1.0], [0.9, 0.8]], "y": [1.0, -1.0, 1.0], "w0": [0.1, -0.2]}
    code, err = _check(tmp_path, capsys, "gd-separable-regularization-path", inst)
    assert code == 0, err
