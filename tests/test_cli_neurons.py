"""Bad input for the neurons family through the ``claims`` command (in-process): one line
``claims: error: ...`` and exit 2; a good instance file runs."""
from __future__ import annotations

import json

import numpy as np
import pytest

from theorems import cli
from theorems.published import get_published


def _write(tmp_path, inst, name="i.json"):
    p = tmp_path / name
    p.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in inst.items()}))
    return str(p)


def _one_line_error(capsys, argv, *words):
    code = cli.main(argv)
    err = capsys.readouterr().err
    lines = [l for l in err.splitlines() if l.strip()]
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("claims: error:"), err
    for w in words:
        assert w in lines[0], lines[0]


def _neuron(activation, y):
    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((2, 4)), "y": np.asarray(y, float), "w0": rng.standard_normal(4), "activation": activation}


@pytest.mark.parametrize("inst,words", [
    (_neuron(3, [0.5, 0.2]), ["not strictly increasing"]),
    ({**_neuron(0, [0.5, 0.2]), "alpha": 0.0}, ["strictly increasing"]),
    (_neuron(1, [0.5, 1.2]), ["outside the range of tanh"]),
    (_neuron(2, [0.5, 1.0]), ["outside the range of the sigmoid"]),
])
def test_single_neuron_bad_input(tmp_path, capsys, inst, words):
    _one_line_error(capsys, ["check", "single-neuron-strictly-monotone", "--instance", _write(tmp_path, inst)], *words)


def test_repeated_knots(tmp_path, capsys):
    x = [-1.0, 0.0, 0.0, 1.0, 2.0]
    for cid in ("relu-smoothing-spline-trajectory", "relu-other-activation-spline", "relu-weight-decay-min-cost",
                "relu-weight-decay-trained-net"):
        _one_line_error(capsys, ["check", cid, "--instance", _write(tmp_path, {"x": x, "y": [0, 1, 2, 1, 0]})], "repeated knots")


def test_radon_needs_d_equal_2(tmp_path, capsys):
    inst = {"X": np.random.default_rng(1).standard_normal((5, 3)), "y": np.zeros(5)}
    _one_line_error(capsys, ["check", "relu-multivariate-radon", "--instance", _write(tmp_path, inst)], "d = 2")
    inst = {"X": [[0.0, 0.0], [3.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "y": [0, 1, 0, 1], "init": 1, "a_b": 2.0}
    _one_line_error(capsys, ["check", "relu-multivariate-radon", "--instance", _write(tmp_path, inst)], "a_b >=")


def test_spline_error_and_balancedness_bad_input(tmp_path, capsys):
    _one_line_error(capsys, ["check", "relu-spline-error-corrected", "--instance",
                             _write(tmp_path, {"a": 1.0, "b": 0.0, "poly": [0.0, 1.0]})], "a < b")
    inst = {"X": [[1.0, 1.0], [0.5, 1.0], [-1.0, 1.0]], "y": [1.0, 0.0, 1.0], "a0": [0.5, 0.5], "W0": [[1.0, 0.0], [0.0, 1.0]],
            "slope": 1.5}
    _one_line_error(capsys, ["check", "two-layer-balancedness", "--instance", _write(tmp_path, inst)], "slope")


def test_good_instance_file_runs(tmp_path, capsys):
    inst = {"x": [-1.0, 0.0, 0.5, 1.5], "y": [-3.0, 0.1, 1.4, 4.6]}
    assert cli.main(["check", "relu-weight-decay-min-cost", "--instance", _write(tmp_path, inst)]) == 0
    assert "outcome: pass" in capsys.readouterr().out
    inst = {"X": [[0.2, 0.1, -0.3], [0.0, 0.4, 0.1]], "y": [0.3, -0.2], "w0": [0.1, 0.0, -0.1], "activation": 1}
    assert cli.main(["check", "single-neuron-strictly-monotone", "--instance", _write(tmp_path, inst)]) == 0


def test_published_configurations_build_valid_instances():
    from theorems import registry
    from theorems.instances import coerce_instance

    for name in ("jin-montufar-trajectory", "jin-montufar-2d-toy", "jin-montufar-2d-toy-gaussian"):
        p = get_published(name)
        for cid in p.claims:
            c = registry.get(cid)
            inst = coerce_instance(c, p.build(cid), origin=name)
            assert not c.precondition_misses(inst), name
