"""The `archive` command line: the same services as the API, one unit of work per command.

This module assembles the commands into one typer app; each command group lives in a module of its own,
and all of them run against the `Runtime` of `archive.cli.runtime`.
"""

from __future__ import annotations

import sys

import typer

from archive.cli.audit import audit
from archive.cli.db import db_current, db_upgrade
from archive.cli.documents import diff, export, get, history
from archive.cli.gc import gc
from archive.cli.governance import hold, purge, withdraw
from archive.cli.imports import import_package
from archive.cli.ingest import ingest
from archive.cli.keys import keys_create, keys_list, keys_revoke
from archive.cli.publish import log_publish
from archive.cli.reextract import reextract
from archive.cli.restore_drill import restore_drill
from archive.cli.rotate import log_rotate_key
from archive.cli.runtime import fail
from archive.cli.search import search_reindex
from archive.cli.serve import serve
from archive.cli.verify import log_verify, verify, verify_receipt
from archive.cli.worker import worker
from archive.errors import ArchiveError

app = typer.Typer(
    name="archive",
    help="Source-document archival and provenance service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
log_app = typer.Typer(help="The verifiable log.", no_args_is_help=True)
search_app = typer.Typer(help="Full-text search.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(log_app, name="log")
app.add_typer(search_app, name="search")

app.command()(serve)
db_app.command("upgrade")(db_upgrade)
db_app.command("current")(db_current)
keys_app.command("create")(keys_create)
keys_app.command("revoke")(keys_revoke)
keys_app.command("list")(keys_list)
app.command()(get)
app.command()(verify)
app.command("verify-receipt")(verify_receipt)
log_app.command("verify")(log_verify)
log_app.command("publish")(log_publish)
log_app.command("rotate-key")(log_rotate_key)
search_app.command("reindex")(search_reindex)
app.command()(gc)
app.command()(history)
app.command()(diff)
app.command()(export)
app.command("import")(import_package)
app.command()(audit)
app.command()(ingest)
app.command()(reextract)
app.command()(worker)
app.command("restore-drill")(restore_drill)
app.command()(withdraw)
app.command()(purge)
app.command()(hold)


def main() -> None:
    try:
        app()
    except ArchiveError as exc:
        fail(exc.detail)
    except KeyboardInterrupt:
        sys.exit(130)
