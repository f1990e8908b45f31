"""pytest configuration of this suite.

The claims profile option and fixture come from the package's pytest plugin
(``theorems.pytest_plugin``, entry point ``pytest11``), shared with a research repository's own
pytest run. Here: with ``--cov`` (the README's test command), a per-package summary of branch
coverage of models/, solvers/ and theorems/ after pytest-cov's own table. Tests marked ``thorough`` (long regressions on a thorough-profile instance)
run with the thorough profile (``--claims-profile thorough`` or ``CLAIMS_PROFILE=thorough``) and are
reported as skipped, with that reason, in the quick one.
"""
from __future__ import annotations

import json
import os
import tempfile

import pytest

PACKAGES = ("models", "solvers", "theorems")


def pytest_collection_modifyitems(config, items):
    from theorems.profiles import current_profile

    if current_profile(config.getoption("--claims-profile", None)) == "thorough":
        return
    why = pytest.mark.skip(reason="long regression on a thorough-profile instance: runs with --claims-profile thorough")
    for item in items:
        if "thorough" in item.keywords:
            item.add_marker(why)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, config):
    plugin = config.pluginmanager.getplugin("_cov")
    ctl = getattr(plugin, "cov_controller", None)
    cov = getattr(ctl, "cov", None)
    if cov is None or getattr(plugin, "cov_total", None) is None:
        return
    root = str(config.rootpath)
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        cov.json_report(outfile=path)
        with open(path) as fh:
            files = json.load(fh)["files"]
    except Exception as e:  # noqa: BLE001 - a summary problem must not fail the run
        terminalreporter.write_line(f"coverage summary unavailable: {type(e).__name__}: {e}")
        return
    finally:
        if os.path.exists(path):
            os.unlink(path)
    terminalreporter.write_sep("-", "branch coverage by package")
    for pkg in PACKAGES:
        stats = [f["summary"] for name, f in files.items()
                 if os.path.relpath(os.path.abspath(name), root).startswith(pkg + os.sep)]
        if not stats:
            continue
        nb = sum(s.get("num_branches", 0) for s in stats)
        cb = sum(s.get("covered_branches", 0) for s in stats)
        ns = sum(s["num_statements"] for s in stats)
        cs = sum(s["covered_lines"] for s in stats)
        terminalreporter.write_line(f"{pkg + '/':<11} branches {cb}/{nb} = {100.0 * cb / max(nb, 1):5.1f}%   "
                                    f"statements {cs}/{ns} = {100.0 * cs / max(ns, 1):5.1f}%   ({len(stats)} files)")
