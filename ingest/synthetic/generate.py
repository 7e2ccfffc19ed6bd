"""``dangan generate``: synthetic marketing and archive systems.

The data imitates a prefecture power company (Jiaxing) or a whole province (Zhejiang):
processes run through their nodes in working time, archive steps mirror the steps that
produce documents, and the archive behaviour of units, teams and people differs, so that
the monthly indicators land near the article's figures while rankings mean something.

Generation streams: customers and processes are produced in fixed-size chunks, each from
its own seeded random generator, typed against the contract and appended to the folder
files and SQLite databases. The output depends only on (scale, seed, end). This module
only composes the domains, in an order that is part of the output (every draw of a chunk
comes from the chunk's one generator): ``organisation``, ``contracts`` (customers and
contracts), ``processes`` (processes and steps), ``archive`` (archive steps, documents,
handovers, dossiers, borrowings) and ``audit`` (checks and findings); last, for the scales
that ask for it, the hand-placed cases of ``showcase``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.synthetic import archive, audit, contracts, processes
from ingest.synthetic import reference as ref
from ingest.synthetic.manifest import write_manifest
from ingest.synthetic.organisation import write_organisation
from ingest.synthetic.scan_plan import ScanDocument, ScanDossier
from ingest.synthetic.showcase import write_showcase
from ingest.synthetic.world import SCALES, Scale, World
from ingest.synthetic.writers import SystemSinks

logger = logging.getLogger(__name__)

DEFAULT_END = "2026-11-27 17:30:00"
PROC_CHUNK = 25_000
CUST_CHUNK = 100_000


@dataclass(frozen=True)
class GeneratedTables:
    """A written table set and the scans chosen for it: all the scan writer needs."""

    out: Path
    seed: int
    scan_count: int  # scans asked for; 0 means none
    scan_documents: tuple[ScanDocument, ...]
    scan_dossiers: tuple[ScanDossier, ...]


def generate_tables(
    scale: str,
    seed: int,
    out: Path,
    scans: str | int = "auto",
    end: str | None = None,
    *,
    table_format: str | None = None,
) -> GeneratedTables:
    """Write both source systems and the manifest into ``out``; choose the documents to scan.

    The same (scale, seed, end) always gives byte-identical tables; ``end`` defaults to a
    fixed moment, so the result never depends on today's date. ``table_format`` (csv or
    parquet) overrides the scale's default for the folder tables. ``scans`` ('auto', 'none'
    or a count) only sets how many documents are chosen; the pages are rendered by
    ``scans.generate.write_generated_scans``, which also records them in the manifest.
    Scans of an earlier set in ``out`` are removed.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    fmt = table_format or SCALES[scale].table_format
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown table format {fmt!r}; expected csv or parquet")
    scan_count = _scan_count(scans, SCALES[scale])
    end_ts = _parse_moment(end or DEFAULT_END)
    out = _clear(Path(out))
    began = time.perf_counter()
    sinks = SystemSinks(out, fmt)
    try:
        world = World(scale, seed, end_ts, scan_count, sinks)
        write_organisation(world.org, sinks)
        _write_customer_pool(world)
        _write_processes(world)
        if world.scale.showcase:
            write_showcase(world)
    finally:
        sinks.close()
    write_manifest(out, _manifest(world, fmt))
    logger.info("generated %s seed %d into %s in %.1f s", scale, seed, out, time.perf_counter() - began)
    return GeneratedTables(
        out=out,
        seed=seed,
        scan_count=scan_count,
        scan_documents=tuple(world.scans.documents),
        scan_dossiers=tuple(world.scans.dossiers),
    )


def _write_customer_pool(world: World) -> None:
    """The customers that exist before the window, their contracts and loose documents."""
    for ci, a in enumerate(range(0, world.pool.size, CUST_CHUNK)):
        rng = np.random.default_rng([world.seed, 1, ci])
        index = np.arange(a, min(a + CUST_CHUNK, world.pool.size))
        cust_no, unit = contracts.write_pool_customers(world, rng, index)
        archive.write_loose_documents(world, rng, cust_no, unit)
        logger.info("customers %d-%d written", a, a + len(index))


def _write_processes(world: World) -> None:
    total = world.scale.processes
    for ci, a in enumerate(range(0, total, PROC_CHUNK)):
        n = min(PROC_CHUNK, total - a)
        _write_process_chunk(world, np.random.default_rng([world.seed, 2, ci]), n)
        logger.info("processes %d-%d written", a, a + n)


def _write_process_chunk(world: World, rng: np.random.Generator, n: int) -> None:
    """One chunk of processes and everything that follows from them, in draw order."""
    chunk = processes.draw_chunk(world, rng, n)
    contracts.write_new_customers(world, rng, chunk)
    processes.write_chunk(world, chunk)
    archive_steps = archive.write_archive_steps(world, rng, chunk)
    docs = archive.write_step_documents(world, rng, chunk, archive_steps)
    handovers = archive.write_handovers(world, rng, chunk, docs)
    dossiers = archive.write_dossiers(world, rng, chunk, handovers)
    archive.write_borrowings(world, rng, chunk, dossiers)
    audit.write_audits(world, rng, chunk, docs)


def _manifest(world: World, fmt: str) -> dict[str, Any]:
    """What the set is; ``scan_files`` and ``scans_index`` are filled in by the scan writer."""
    org = world.org
    end_text = str(world.end).replace("T", " ")
    return {
        "scale": world.scale_name,
        "seed": world.seed,
        "start": str(world.start).replace("T", " "),
        "end": end_text,
        "as_of": end_text,
        "format": fmt,
        "counts": world.sinks.counts(),
        "scan_files": 0,
        "units": {str(c): str(n) for c, n in zip(org.unit_code, org.unit_name, strict=True)},
        "teams": {str(c): str(n) for c, n in zip(org.team_code, org.team_name, strict=True)},
        "staff": len(org.staff_id),
        "proc_types": sorted({v.proc_type for v in ref.VARIANTS}),
        "doc_types": {d.code: d.name for d in ref.DOC_TYPES},
        "scans_index": None,
    }


def _clear(out: Path) -> Path:
    """Remove the tables and scans of an earlier set, so nothing stale stays beside the new one."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("marketing", "archive", "scans"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "scans_index.csv").unlink(missing_ok=True)
    return out


def _parse_moment(text: str) -> np.datetime64:
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--end {text!r} is not a timestamp 'YYYY-MM-DD HH:MM:SS'") from exc
    return np.datetime64(moment.replace(microsecond=0), "s")


def _scan_count(scans: str | int, scale: Scale) -> int:
    if isinstance(scans, int):
        return max(0, scans)
    text = str(scans).strip().lower()
    if text == "auto":
        return scale.auto_scans
    if text == "none":
        return 0
    try:
        return max(0, int(text))
    except ValueError as exc:
        raise ValueError(f"--scans must be 'auto', 'none' or a count, not {scans!r}") from exc
