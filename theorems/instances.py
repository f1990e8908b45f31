"""Load and save instances (``.npz`` or ``.json`` whose names are the claim's instance fields).

Every problem with a user-supplied instance raises :class:`InstanceError` with a one-line message
naming the file and the problem; the CLI turns it into exit code 2.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .contract import Claim, Instance, InstanceError


def save_instance(instance: Instance, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(v) for k, v in instance.items()}
    if path.suffix == ".json":
        path.write_text(json.dumps({k: v.tolist() for k, v in arrays.items()}, indent=1))
    else:
        with open(path, "wb") as fh:  # np.savez would append .npz to a str path without one
            np.savez(fh, **arrays)
    return path


def read_instance_file(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise InstanceError(f"{path}: no such file")
    if path.suffix == ".json":
        try:
            raw = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise InstanceError(f"{path}: not valid JSON ({e.__class__.__name__}: {str(e).splitlines()[0]})") from None
        if not isinstance(raw, dict):
            raise InstanceError(f"{path}: expected a JSON object mapping field names to numbers or arrays")
        out = {}
        for k, v in raw.items():
            try:
                arr = np.asarray(v, dtype=float)
            except (TypeError, ValueError):
                raise InstanceError(f"{path}: field {k!r} is not a number or a rectangular numeric array") from None
            out[k] = arr
        return out
    if path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: np.asarray(z[k]) for k in z.files}
        except Exception as e:  # zipfile.BadZipFile, ValueError, OSError, ...
            raise InstanceError(f"{path}: not a readable .npz file ({e.__class__.__name__})") from None
    raise InstanceError(f"{path}: unsupported instance format {path.suffix!r} (use .npz or .json)")


def coerce_instance(claim: Claim, raw: dict, origin: str = "instance", warnings: list[str] | None = None) -> Instance:
    """Check names, shapes (number of dimensions), dtype and finiteness; return the instance.

    Fields with a documented default may be left out (the default is used); unknown fields are
    named in one warning (appended to ``warnings``) and ignored; every problem of the instance is
    reported in one :class:`InstanceError` message."""
    names = {f.name for f in claim.fields}
    problems: list[str] = []
    missing = [f.name for f in claim.fields if f.name not in raw and f.required]
    unknown = sorted(set(raw) - names)
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if unknown and warnings is not None:
        warnings.append(f"{origin}: ignoring field(s) {', '.join(unknown)} unknown to claim {claim.id}")
    out: Instance = {}
    used_defaults = []
    for f in claim.fields:
        if f.name not in raw:
            if not f.required:
                out[f.name] = f.default
                used_defaults.append(f"{f.name}={f.default}")
            continue
        v = np.asarray(raw[f.name])
        if v.dtype.kind not in "biuf":
            problems.append(f"field {f.name!r} must be numeric, got dtype {v.dtype}")
            continue
        if v.ndim != f.ndim:
            want = "a scalar" if f.ndim == 0 else f"a {f.ndim}-d array"
            problems.append(f"field {f.name!r} must be {want}, got shape {list(v.shape)}")
            continue
        if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            problems.append(f"field {f.name!r} contains non-finite numbers (nan or inf)")
            continue
        if f.integer and not np.all(np.equal(np.mod(v, 1), 0)):
            problems.append(f"field {f.name!r} must hold integers")
            continue
        if f.ndim == 0:
            out[f.name] = int(v.item()) if f.integer else float(v.item())
        else:
            out[f.name] = v.astype(float) if v.dtype.kind in "biu" else v
    if problems:
        allf = ", ".join(f.name if f.required else f"{f.name} (default {f.default})" for f in claim.fields)
        raise InstanceError(f"{origin}: {'; '.join(problems)} (claim {claim.id} fields: {allf})")
    if used_defaults and warnings is not None:
        warnings.append(f"{origin}: defaults used for {', '.join(used_defaults)}")
    return out


def prepare_instance(claim: Claim, raw: dict, origin: str, warnings: list[str] | None = None) -> Instance:
    """:func:`coerce_instance`, then the claim's ``normalize`` (what it did goes to ``warnings``),
    then its assumptions: every violated one in one message."""
    inst = coerce_instance(claim, raw, origin=origin, warnings=warnings)
    if claim.normalize is not None:
        inst, said = claim.normalize(inst)
        if warnings is not None:
            warnings.extend(f"{origin}: {s}" for s in said)
    misses = claim.precondition_misses(inst)
    if misses:
        raise InstanceError(f"{origin}: violates the assumptions of {claim.id}: {'; '.join(misses)}")
    return inst


def load_instance(claim: Claim, path: str | Path, warnings: list[str] | None = None) -> Instance:
    """Read, validate, normalize and assumption-check an instance file for ``claim``."""
    return prepare_instance(claim, read_instance_file(path), str(path), warnings)
