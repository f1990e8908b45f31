"""Bad instance files for the diagonal-net and ReLU claims: one line `claims: error: ...`, exit 2
(in-process through theorems.cli.main)."""
import json

import numpy as np
import pytest

from theorems import cli


def _write(tmp_path, data, name="inst.json"):
    p = tmp_path / name
    p.write_text(json.dumps({k: np.asarray(v).tolist() for k, v in data.items()}))
    return str(p)


def _expect_2(capsys, argv, *words):
    try:
        code = cli.main(argv)
    except SystemExit as e:  # argparse-style exits
        code = e.code
    assert code == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("claims: error:"), err
    for w in words:
        assert w in err[0], err[0]


RNG = np.random.default_rng(0)


@pytest.mark.parametrize("cid,data,words", [
    ("diag-net-q-alpha", {"X": RNG.standard_normal((5, 4)), "y": RNG.standard_normal(5), "alpha": 1.0}, ["m < d"]),
    ("diag-net-q-alpha", {"X": RNG.standard_normal((2, 6)), "y": RNG.standard_normal(2), "alpha": -1.0}, ["alpha"]),
    ("diag-net-general-start", {"X": RNG.standard_normal((2, 5)), "y": RNG.standard_normal(2),
                                "w_plus0": np.ones(5), "w_minus0": np.array([1.0, 0.0, 1.0, 1.0, 1.0])}, ["start weight is 0"]),
    ("diag-net-general-start", {"X": RNG.standard_normal((2, 5)), "y": RNG.standard_normal(2),
                                "w_plus0": np.ones(4), "w_minus0": np.ones(5)}, ["need 5 entries"]),
    ("deep-diag-net-q-d", {"X": RNG.standard_normal((2, 5)), "y": RNG.standard_normal(2), "depth": 7, "alpha": 0.5},
     ["depth 7"]),
    ("relu-spline-limit", {"x": np.array([0.0, 0.0, 1.0]), "y": np.array([1.0, 2.0, 3.0]), "sw": 1.0, "sb": 1.0},
     ["distinct"]),
    ("relu-spline-limit", {"x": np.array([0.0, 0.5, 1.0]), "y": np.array([1.0, 2.0, 3.0]), "sw": 1.0, "sb": 1.0,
                           "start": 5}, ["start must be 0, 1 or 2"]),
    ("relu-zeta-monte-carlo", {"sw": 1.0, "sb": 1.0, "a_w": 1.0, "a_b": 1.0, "samples": 100}, ["samples"]),
])
def test_bad_instances_exit_2_with_one_line(tmp_path, capsys, cid, data, words):
    _expect_2(capsys, ["check", cid, "--instance", _write(tmp_path, data)], *words)


def test_a_paper_style_file_with_only_the_data_works(tmp_path, capsys):
    """Knobs take their documented defaults: the zeta identity needs only the scales and the points."""
    data = {"sw": 1.0, "sb": 1.0, "a_w": 1.0, "a_b": 2.0, "x": np.linspace(-3, 3, 7)}
    assert cli.main(["check", "relu-curvature-penalty-zeta", "--instance", _write(tmp_path, data)]) == 0
    assert "relu-curvature-penalty-zeta on the given instance" in capsys.readouterr().out
