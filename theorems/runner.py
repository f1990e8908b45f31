"""Running many claims: in this process, on a local process pool, or on Dask workers.

Every unit of work is a pure function of names (a claim id, a profile, a seed), so it can run
anywhere the package is installed:

* :func:`run_one` -- one claim end to end (search, mutants, resolution, audit);
* :func:`search_chunk` / :func:`finish` -- a claim's thorough search split into independently
  seeded chunks (each its own Hypothesis run, ``max_examples`` a share of the claim's budget),
  merged by :func:`merge_chunks` and finished (mutants, resolution) on one worker;
* :func:`run_published` -- one published configuration on one claim.

:func:`run_claims` drives them on ``jobs`` local processes or on a Dask cluster (``dask`` = a
scheduler address, or ``local:N`` for a LocalCluster of N single-threaded worker processes). Ctrl-C
stops the workers at once (they ignore SIGINT; the driver terminates them) and re-raises
:class:`KeyboardInterrupt`, so nothing is written and the previous report is kept.
"""
from __future__ import annotations

import math
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Callable

from .engine import ClaimResult, Record, SearchResult, finish_claim, run_claim, safe_evaluate, search, stable_seed


@dataclass
class PublishedResult:
    name: str
    claim_id: str
    outcome: str
    consistent: bool  # the outcome is what the claim expects (pass for holds, fail for fails)
    why: str
    ours: str
    seconds: float
    warnings: list[str] = field(default_factory=list)
    gap: float | None = None
    tolerance: float | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)


# ---- units of work -----------------------------------------------------------------------------

def run_one(claim_id: str, profile: str) -> ClaimResult:
    from .registry import get

    return run_claim(get(claim_id), profile)


def search_chunk(claim_id: str, profile: str, seed: int, n: int) -> tuple[SearchResult, float]:
    from .registry import get

    t0 = time.perf_counter()
    found = search(get(claim_id), None, profile, seed=seed, max_examples=n)
    return found, time.perf_counter() - t0


def merge_chunks(chunks: list[tuple[SearchResult, float]]) -> tuple[SearchResult, float]:
    """One search result from independently seeded chunks: all records, the first chunk's
    counterexample (chunks are in seed order), the largest ratio seen, the summed time."""
    records: list[Record] = []
    ce = None
    ratios = []
    notes = []
    for found, _ in chunks:
        records += found.records
        ce = ce or found.counterexample
        if found.max_ratio is not None:
            ratios.append(found.max_ratio)
        if found.shrink_note and found.shrink_note not in notes:
            notes.append(found.shrink_note)
    return SearchResult(records, ce, max(ratios) if ratios else None, "; ".join(notes)), sum(s for _, s in chunks)


def finish(claim_id: str, profile: str, merged: SearchResult, search_seconds: float) -> ClaimResult:
    from .registry import get

    t0 = time.perf_counter() - search_seconds  # the result's seconds count the chunks' compute too
    return finish_claim(get(claim_id), profile, merged, t0)


def run_published(name: str, claim_id: str, profile: str = "quick") -> PublishedResult:
    """One published configuration on one claim: build, validate (defaults, normalize,
    assumptions), evaluate with the independent certificate; a crash is an inconclusive row."""
    from .contract import InstanceError
    from .instances import prepare_instance
    from .published import get_published
    from .registry import get

    pub = get_published(name)
    claim = get(claim_id)
    t0 = time.perf_counter()
    warnings: list[str] = []
    try:
        inst = prepare_instance(claim, pub.build(claim_id), f"published {name}", warnings)
    except InstanceError as e:
        return PublishedResult(name, claim_id, "precondition", False, str(e), "—", time.perf_counter() - t0, warnings)
    ev = safe_evaluate(claim, inst, None, certify=claim.expected != "fails")
    want = pub.expect.get(claim_id) or {"holds": "pass", "fails": "fail", "open": None}[claim.expected]
    consistent = ev.outcome == want if want else ev.outcome in ("pass", "fail")
    try:
        ours = pub.ours(claim_id, ev) if pub.ours is not None else f"gap {ev.gap:.3e}"
    except Exception as e:  # noqa: BLE001 - a formatting problem must not hide the outcome
        ours = f"(could not format: {type(e).__name__})"
    gap = ev.gap if math.isfinite(ev.gap) else None
    tol = ev.tolerance if math.isfinite(ev.tolerance) else None
    return PublishedResult(name, claim_id, ev.outcome, consistent, ev.why(), ours, time.perf_counter() - t0,
                           warnings, gap, tol)


def published_tasks(profile: str, only_claims: set[str] | None = None) -> list[tuple[str, str]]:
    from .published import all_published

    out = []
    for p in all_published():
        if profile not in p.profiles:
            continue
        for cid in p.claims:
            if only_claims is None or cid in only_claims:
                out.append((p.name, cid))
    return out


# ---- drivers -----------------------------------------------------------------------------------

def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def chunk_plan(claim_id: str, profile: str, workers: int, root_seed: int) -> list[tuple[int, int]]:
    """(seed, examples) per chunk: the thorough search of one claim split over up to ``workers``
    chunks of at least 5 examples; the quick profile is never split (it is reproducible)."""
    from .registry import get

    if profile != "thorough" or workers <= 1:
        return []
    n = int(get(claim_id).examples.get(profile, 8))
    k = max(1, min(workers, n // 5))
    if k <= 1:
        return []
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    return [(stable_seed(f"{root_seed}/{claim_id}/{i}"), s) for i, s in enumerate(sizes)]


def run_claims(claim_ids: list[str], profile: str, jobs: int = 1, dask: str | None = None,
               published: list[tuple[str, str]] = (), on_claim: Callable[[ClaimResult], Any] | None = None,
               root_seed: int | None = None) -> tuple[dict[str, ClaimResult], list[PublishedResult]]:
    """Run claims and published configurations; ``on_claim`` is called as each claim finishes."""
    if dask:
        return _run_dask(claim_ids, profile, dask, list(published), on_claim, root_seed)
    results: dict[str, ClaimResult] = {}
    pubs: list[PublishedResult] = []
    if jobs <= 1:
        for cid in claim_ids:
            results[cid] = run_one(cid, profile)
            if on_claim:
                on_claim(results[cid])
        pubs = [run_published(n, c, profile) for n, c in published]
        return results, pubs
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
    try:
        futs = {pool.submit(run_one, cid, profile): ("claim", cid) for cid in claim_ids}
        futs.update({pool.submit(run_published, n, c, profile): ("published", (n, c)) for n, c in published})
        pub_by_key = {}
        for f in as_completed(futs):
            kind, key = futs[f]
            if kind == "claim":
                results[key] = f.result()
                if on_claim:
                    on_claim(results[key])
            else:
                pub_by_key[key] = f.result()
        pubs = [pub_by_key[k] for k in published]
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)
    return results, pubs


def _kill(pool: ProcessPoolExecutor) -> None:
    for p in list(getattr(pool, "_processes", {}).values()):
        try:
            p.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def connect_dask(address: str):
    """A Dask client for ``address`` (a scheduler, e.g. tcp://host:8786) or ``local:N`` (a
    LocalCluster of N single-threaded worker processes on this machine)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        from .cli import UsageError

        raise UsageError("--dask needs the optional extra: pip install 'implicit-bias-claims[distributed]'") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            from .cli import UsageError

            raise UsageError(f"--dask {address}: expected local:N with N >= 1")
        import dask

        # workers forked from this process inherit its imports (numpy, scipy, cvxpy, the claim
        # modules): spawning them would re-import everything in each worker, several seconds apiece
        with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=40)
        return Client(cluster), cluster
    return Client(address, timeout="10s"), None


def _run_dask(claim_ids, profile, address, published, on_claim, root_seed):
    from dask.distributed import as_completed as dask_completed

    client, cluster = connect_dask(address)
    root = root_seed if root_seed is not None else int.from_bytes(os.urandom(4), "little")
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        results: dict[str, ClaimResult] = {}
        kind_of: dict[str, tuple[str, str]] = {}
        chunks_of: dict[str, list] = {}
        first = []
        for cid in claim_ids:
            plan = chunk_plan(cid, profile, workers, root)
            fs = ([client.submit(search_chunk, cid, profile, s, n, pure=False) for s, n in plan] if plan
                  else [client.submit(run_one, cid, profile, pure=False)])
            for f in fs:
                kind_of[f.key] = ("chunk" if plan else "claim", cid)
            if plan:
                chunks_of[cid] = fs
            first += fs
        pub_futs = [client.submit(run_published, n, c, profile, pure=False) for n, c in published]
        pending = dask_completed(first)
        finishing: set[str] = set()
        for f in pending:
            kind, cid = kind_of[f.key]
            if kind == "claim":
                results[cid] = f.result()
                if on_claim:
                    on_claim(results[cid])
            elif cid not in finishing and all(c.done() for c in chunks_of[cid]):
                finishing.add(cid)
                merged, secs = merge_chunks([c.result() for c in chunks_of[cid]])
                fin = client.submit(finish, cid, profile, merged, secs, pure=False)
                kind_of[fin.key] = ("claim", cid)
                pending.add(fin)
        pubs = [f.result() for f in pub_futs]
    except BaseException:  # interrupted: stop at once, the workers die with their nanny
        _close(client, cluster, timeout=1)
        raise
    _close(client, cluster, timeout=30)
    return results, pubs


def _close(client, cluster, timeout: float) -> None:
    for obj in (client, cluster):
        if obj is None:
            continue
        try:
            obj.close(timeout=timeout)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


__all__ = ["PublishedResult", "chunk_plan", "finish", "merge_chunks", "published_tasks", "run_claims", "run_one",
           "run_published", "search_chunk"]
