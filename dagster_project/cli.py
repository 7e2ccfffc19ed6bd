"""The ``dangan`` command: generate, build, dashboard, users, dagster, docs."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ingest import settings


def _generate(args: argparse.Namespace) -> int:
    from ingest.synthetic.generate import generate_tables
    from scans.generate import write_generated_scans

    tables = generate_tables(
        scale=args.scale, seed=args.seed, out=Path(args.out), scans=args.scans, end=args.end
    )
    write_generated_scans(tables)
    return 0


def _build(args: argparse.Namespace) -> int:
    from dagster_project.build import children_die_with_this_process, run_build

    if args.source and (args.marketing_url or args.archive_url):
        print(
            "dangan build: give either --source DIR or --marketing-url/--archive-url, not both",
            file=sys.stderr,
        )
        return 2
    # A killed build takes its children with it.
    with children_die_with_this_process():
        return run_build(
            source=Path(args.source) if args.source else None,
            marketing_url=args.marketing_url or (None if args.source else settings.MARKETING_URL),
            archive_url=args.archive_url or (None if args.source else settings.ARCHIVE_URL),
            scans=Path(args.scans) if args.scans else None,
            warehouse=Path(args.warehouse),
            as_of=args.as_of,
            full_refresh=args.full_refresh,
            allow_shrink=args.allow_shrink,
            verbose=args.verbose,
            engine=args.engine,
        )


def _dashboard(args: argparse.Namespace) -> int:
    app = settings.PROJECT_ROOT / "dashboard" / "streamlit_app.py"
    # absolute(), not resolve(): the warehouse path is a symlink that moves with every publish.
    env = dict(os.environ, DANGAN_WAREHOUSE=str(Path(args.warehouse).absolute()))
    if args.scans:
        # Else the page preview reads the folder the newest scan run recorded in build_info.
        env["DANGAN_SCANS_DIR"] = str(Path(args.scans).absolute())
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--server.enableXsrfProtection",
        "true",
        "--client.toolbarMode",
        "minimal",
        "--browser.gatherUsageStats",
        "false",
    ]
    return subprocess.call(command, env=env)


def _dagster(args: argparse.Namespace) -> int:
    from dagster_project.tools import run_dagster

    return run_dagster(args.host, args.port)


def _docs(args: argparse.Namespace) -> int:
    from dagster_project.tools import run_docs

    return run_docs(Path(args.warehouse), args.host, args.port, serve=not args.no_serve)


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and its options (the README's commands are checked against it)."""
    parser = argparse.ArgumentParser(prog="dangan", description="档案管控 customer-archive control")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic marketing and archive systems and scans")
    gen.add_argument("--scale", choices=["tiny", "jiaxing", "zhejiang"], default="tiny")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", required=True)
    gen.add_argument(
        "--scans", default="auto", help="scanned documents: 'auto' (by scale), 'none' or a count"
    )
    gen.add_argument(
        "--end", default=None, help="the generated systems' present moment (default fixed per scale)"
    )
    gen.set_defaults(func=_generate)

    build = sub.add_parser("build", help="load sources and scans and build every mart")
    build.add_argument("--source", help="folder with marketing/ and archive/ tables (CSV or Parquet)")
    build.add_argument("--marketing-url", help="SQLAlchemy URL of the marketing system")
    build.add_argument("--archive-url", help="SQLAlchemy URL of the archive system")
    build.add_argument("--scans", default=None, help="folder of scanned pages")
    build.add_argument("--warehouse", default=str(settings.WAREHOUSE))
    build.add_argument(
        "--as-of", default=None, help="evaluate as of this moment (YYYY-MM-DD HH:MM:SS); default now"
    )
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="reload every table and recompute every model (history and frozen months are kept)",
    )
    build.add_argument(
        "--allow-shrink",
        action="append",
        default=[],
        metavar="TABLE",
        help="let this build remove more of TABLE's rows than the seed ingest_limits allows (repeatable)",
    )
    build.add_argument(
        "--verbose",
        action="store_true",
        help="a line for every step and every dbt node that did not pass, instead of progress bars",
    )
    build.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="where dbt builds the models: duckdb (embedded, default) or spark (local Apache Spark,"
        " marts loaded back into the warehouse; docs/SCALE.md)",
    )
    build.set_defaults(func=_build)

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dash.add_argument("--warehouse", default=str(settings.WAREHOUSE))
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every interface)",
    )
    dash.add_argument("--port", type=int, default=8501)
    dash.add_argument(
        "--scans",
        default=None,
        help="folder of scanned pages shown by the preview (default: the one the last build read)",
    )
    dash.set_defaults(func=_dashboard)

    from dashboard.auth.commands import add_parser as add_users_parser

    add_users_parser(sub, str(settings.WAREHOUSE))

    dagster = sub.add_parser(
        "dagster", help="the Dagster UI (assets, checks, schedules, sensor) with the project's settings"
    )
    dagster.add_argument("--host", default="127.0.0.1")
    dagster.add_argument("--port", type=int, default=3000)
    dagster.set_defaults(func=_dagster)

    docs = sub.add_parser("docs", help="dbt's docs of every model, generated from a copy of the warehouse")
    docs.add_argument("--warehouse", default=str(settings.WAREHOUSE))
    docs.add_argument("--host", default="127.0.0.1")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-serve", action="store_true", help="only generate (into dbt/target/docs)")
    docs.set_defaults(func=_docs)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings.disable_telemetry()
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
