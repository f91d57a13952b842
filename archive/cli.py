"""The `archive` command line: the same services as the API, one unit of work per command."""

from __future__ import annotations

import getpass
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, BinaryIO, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from archive.api.schemas import AuditOut, VerificationOut
from archive.bulk import Journal, LocalTarget, RemoteTarget, Target, collect_files, ingest_files, read_sidecar
from archive.client import ArchiveClient, ArchiveClientError, write_checked
from archive.config import Settings, load_settings
from archive.db import migrate
from archive.db.session import Database
from archive.digests import digest_file
from archive.errors import ArchiveError
from archive.extract import ExtractionLimits, ProcessExtractor
from archive.ledger import Verifier
from archive.ledger.receipts import check_file, check_receipt
from archive.roles import Role
from archive.services import documents, keys
from archive.services.audit import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    AuditReport,
    BatchOutcome,
    get_audit_progress,
    get_audit_report,
    start_audit,
    sweep_audit,
)
from archive.services.documents import list_versions
from archive.services.fixity import VerifyingReader
from archive.services.gc import collect_garbage
from archive.services.history import diff_versions
from archive.services.log import verify_log
from archive.services.verify import verify_digest
from archive.storage import BlobStore, open_blob_store

app = typer.Typer(
    name="archive",
    help="Source-document archival and provenance service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
log_app = typer.Typer(help="The verifiable log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(log_app, name="log")

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _fail(message: str) -> NoReturn:
    """Exit 1 with a one-line reason on stderr."""
    print(f"archive: {' '.join(message.split())}", file=sys.stderr, flush=True)
    sys.exit(1)


def _settings() -> Settings:
    return load_settings()


def _database(settings: Settings) -> Database:
    database = Database.from_settings(settings)
    migrate.require_migrated(database.engine)
    return database


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API. On an archive with no keys yet, prints a new admin key once."""
    import uvicorn  # noqa: PLC0415  (only this command needs the server)

    from archive.api.observability import configure_logging  # noqa: PLC0415

    settings = _settings()
    database = _database(settings)
    with database.unit_of_work() as session:
        bootstrap = keys.create_bootstrap_key(session)
    database.dispose()
    if bootstrap is not None:
        err.print(
            f"No API keys existed, so an admin key named {keys.BOOTSTRAP_KEY_NAME!r} was made. "
            "It is shown this once; keep it:",
            highlight=False,
        )
        print(bootstrap, flush=True)
    configure_logging()
    uvicorn.run(
        "archive.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        access_log=False,  # the service logs each request itself, as JSON with its request id
        log_config=None,
    )


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations."""
    database = Database.from_settings(_settings())
    migrate.upgrade(database.engine, revision)
    out.print(f"database at revision {migrate.current_revision(database.engine)}", highlight=False)


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the code's."""
    database = Database.from_settings(_settings())
    current = migrate.current_revision(database.engine)
    out.print(f"database: {current or 'none'}  code: {migrate.head_revision()}", highlight=False)


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="admin, archivist, auditor or reader.")],
    name: Annotated[str, typer.Option(help="A unique name for the key's holder.")],
) -> None:
    """Make an API key and print it, alone on one line. It is not shown again."""
    database = _database(_settings())
    with database.unit_of_work() as session:
        plaintext = keys.create_key(session, name, role)
    print(plaintext, flush=True)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke an API key: it is refused from now on."""
    database = _database(_settings())
    with database.unit_of_work() as session:
        key = keys.revoke_key(session, name)
        revoked_at = key.revoked_at
    out.print(f"revoked {name} at {revoked_at:%Y-%m-%dT%H:%M:%SZ}", highlight=False)


@keys_app.command("list")
def keys_list(as_json: JsonOption = False) -> None:
    """List keys (names, roles, state; never the keys themselves)."""
    database = _database(_settings())
    with database.reading() as session:
        rows = [
            {
                "name": k.name,
                "role": k.role,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys.list_keys(session)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("name", "role", "created", "state", box=None)
    for row in rows:
        state = f"revoked {str(row['revoked_at'])[:10]}" if row["revoked_at"] else "active"
        table.add_row(str(row["name"]), str(row["role"]), str(row["created_at"])[:10], state)
    out.print(table)


@app.command()
def get(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    version: Annotated[int | None, typer.Option(min=1, help="This version (default: the latest).")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (default: stdout).")
    ] = None,
    server: Annotated[str | None, typer.Option(help="Fetch from this server (key in ARCHIVE_KEY).")] = None,
) -> None:
    """Write a document's bytes, checked against their BLAKE3 as they are read; nothing partial is left."""
    target: Path | BinaryIO = output if output is not None else sys.stdout.buffer
    if server is not None:
        with ArchiveClient(server, key=os.environ.get("ARCHIVE_KEY")) as client:
            try:
                client.fetch(document_id, version=version, to=target)
            except ArchiveClientError as exc:
                _fail(str(exc))
        return
    settings = _settings()
    database = _database(settings)
    with database.reading() as session:
        found = (
            documents.get_version(session, document_id, version)
            if version is not None
            else documents.get_latest_version(session, document_id)
        )
        info = documents.BlobInfo.of_version(found)
    reader = VerifyingReader(database, open_blob_store(settings), settings.verify_on_read_bytes)
    try:
        write_checked(reader.read(info, None), info.blake3, target, source=f"document {document_id}")
    except ArchiveClientError as exc:
        _fail(str(exc))


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Is this file archived? Prints its digests and the versions that hold it; exit 1 when not."""
    digests = digest_file(path)
    database = _database(_settings())
    with database.reading() as session:
        result = verify_digest(session, uploaded=digests)
    if as_json:
        print(json.dumps(VerificationOut.of(result).model_dump(mode="json"), indent=2))
        if not result.archived:
            raise typer.Exit(1)
        return
    out.print(f"blake3 {digests.blake3}\nsha256 {digests.sha256}\nsize   {digests.size}")
    if not result.archived:
        _fail("not archived")
    for holding in result.versions:
        out.print(
            f"archived as document {holding.document_id} version {holding.version} "
            f"({holding.archived_at:%Y-%m-%dT%H:%M:%SZ})",
            highlight=False,
        )


@app.command("verify-receipt")
def verify_receipt(
    receipt: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The receipt (JSON).")],
    key: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="A file holding the log's verifier key.")
    ],
    file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="The archived file, to check too.")
    ] = None,
) -> None:
    """Check a receipt offline, with no server: signature, inclusion proof, and the file's digests."""
    try:
        document = json.loads(receipt.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{receipt} is not a JSON receipt: {exc}")
    if not isinstance(document, dict):
        _fail(f"{receipt} is not a JSON receipt: expected an object")
    verifier = Verifier.from_vkey(key.read_text(encoding="utf-8").strip())
    checked = check_receipt(document, verifier)
    out.print(f"signature ok: checkpoint of {checked.checkpoint.size} leaves signed by {verifier.vkey}")
    out.print(f"inclusion ok: leaf {checked.index} is in that tree", highlight=False)
    event = checked.event
    if event.get("type") == "version.added":
        out.print(
            f"records version {event.get('version')} of document {event.get('document_id')}, "
            f"blake3 {event.get('blake3')}",
            highlight=False,
        )
    if file is not None:
        check_file(event, digest_file(file))
        out.print(f"file ok: {file} has the archived BLAKE3 and SHA-256", highlight=False)


@log_app.command("verify")
def log_verify() -> None:
    """Recompute the whole log from its stored leaves and check it against every signed checkpoint."""
    database = _database(_settings())
    with database.unit_of_work() as session, Progress(console=err, transient=True) as progress:
        task = progress.add_task("leaves", total=None)
        result = verify_log(
            session, progress=lambda done, total: progress.update(task, completed=done, total=total)
        )
    if not result.ok:
        where = f" (first bad leaf: {result.first_bad_index})" if result.first_bad_index is not None else ""
        _fail(f"log verification failed{where}: {result.problem}")
    out.print(f"log ok: {result.size} leaves, {result.checkpoints} signed checkpoints consistent with them")


@app.command()
def gc(
    grace_seconds: Annotated[
        int, typer.Option(min=0, help="Only what is older than this may go (default one hour).")
    ] = 3600,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, delete nothing.")] = False,
) -> None:
    """Remove blobs no row references, and spool files of interrupted uploads, past a grace period."""
    settings = _settings()
    report = collect_garbage(
        _database(settings),
        open_blob_store(settings),
        grace=timedelta(seconds=grace_seconds),
        spool_dir=settings.effective_spool_dir(),
        dry_run=dry_run,
    )
    verb = "would delete" if dry_run else "deleted"
    out.print(
        f"blobs scanned {report.scanned}, referenced {report.referenced}, younger than the grace period "
        f"{report.too_young}, unreferenced {verb} {report.deleted}; spool files {verb} "
        f"{report.spool_files_removed}",
        highlight=False,
    )


@dataclass(frozen=True)
class HistoryRow:
    version: int
    archived_at: str
    blake3: str
    notices: list[str]
    notice_dates: list[str | None]
    archived_by: str
    note: str | None


@app.command()
def history(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    as_json: JsonOption = False,
) -> None:
    """A document's versions: number, date, digest, notices, who archived it."""
    database = _database(_settings())
    with database.unit_of_work() as session:
        rows = [
            HistoryRow(
                version=v.number,
                archived_at=v.archived_at.isoformat(),
                blake3=v.blob_blake3,
                notices=[n.text for n in v.notices],
                notice_dates=[n.date.isoformat() if n.date else None for n in v.notices],
                archived_by=v.archived_by,
                note=v.note,
            )
            for v in list_versions(session, document_id)
        ]
    if as_json:
        print(json.dumps({"document_id": document_id, "versions": [asdict(r) for r in rows]}, indent=2))
        return
    table = Table("version", "archived", "blake3", "notices", "by", title=f"document {document_id}")
    for row in rows:
        notices = "\n".join(row.notices)
        table.add_row(str(row.version), row.archived_at[:19], f"{row.blake3[:16]}…", notices, row.archived_by)
    out.print(table)


@app.command()
def diff(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    first: Annotated[int, typer.Argument(min=1, help="From this version.")],
    second: Annotated[int, typer.Argument(min=1, help="To this version.")],
) -> None:
    """What changed between two versions: the text as a unified diff, then fields, credits, notices."""
    database = _database(_settings())
    with database.unit_of_work() as session:
        result = diff_versions(session, document_id, first, second)
        print(result.unified or "(no text to compare)")
        for change in result.fields:
            print(f"field {change.field}: {change.before!r} -> {change.after!r}")
        for credit in result.credits_added:
            print(f"credit added: {credit['name']} ({credit['role']})")
        for credit in result.credits_removed:
            print(f"credit removed: {credit['name']} ({credit['role']})")
        for notice in result.notices_added:
            print(f"notice added: {notice}")


@app.command()
def export(
    document_id: Annotated[str, typer.Argument(help="The document's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
) -> None:
    """Write a document as a BagIt bag in a zip: every version's bytes, its JSON and its log receipt."""
    # The bag holds the API's own JSON, so this command borrows the API's rendering of it.
    from archive.api.routes.export import WIRE_RENDERING  # noqa: PLC0415
    from archive.services.export import export_to_file  # noqa: PLC0415
    from archive.services.log import LogSigner  # noqa: PLC0415
    from archive.storage import open_blob_store  # noqa: PLC0415

    settings = _settings()
    database = _database(settings)
    log = LogSigner.load_or_create(settings.log_origin, settings.signing_key_file)
    with database.unit_of_work() as session:
        summary = export_to_file(
            session,
            document_id,
            output,
            store=open_blob_store(settings),
            log=log,
            rendering=WIRE_RENDERING,
            work_dir=settings.effective_spool_dir(),
        )
    out.print(
        f"wrote {output}: document {summary.document_id}, {summary.versions} version(s), "
        f"{summary.zip_size} bytes",
        highlight=False,
    )


def _cli_actor() -> str:
    """Who a check run from the command line is recorded as: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _audit_progress_bar(shown: bool) -> Progress:
    """Blobs checked of the total, bytes read, the rate and the time left (hidden when not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[checked]}/{task.fields[blobs]} blobs"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not shown or not err.is_terminal,  # a bare newline is all it would leave in a pipe or a log
    )


@dataclass
class _AuditRun:
    """What this process checked of an audit, and how long it took from the command's start."""

    checked: int = 0
    bytes_checked: int = 0
    seconds: float = 0.0


def _sweep_with_progress(
    database: Database,
    store: BlobStore,
    audit_id: str,
    *,
    actor: str,
    batch: int,
    workers: int,
    shown: bool,
) -> _AuditRun:
    """Help sweep the audit until it is done, advancing a progress bar (from what others checked before)."""
    run = _AuditRun()
    with database.reading() as session:
        before = get_audit_progress(session, audit_id)
    with _audit_progress_bar(shown) as progress:
        task = progress.add_task(
            f"audit {audit_id}",
            total=before.total_bytes,
            completed=before.checked_bytes,
            checked=before.checked,
            blobs=before.total,
        )

        def show(outcome: BatchOutcome) -> None:
            run.checked += outcome.checked
            run.bytes_checked += outcome.bytes_checked
            progress.update(task, advance=outcome.bytes_checked, checked=before.checked + run.checked)

        sweep_audit(database, store, audit_id, actor=actor, batch_size=batch, workers=workers, on_batch=show)
    return run


def _print_audit_report(report: AuditReport) -> None:
    counts = Table("status", "blobs", title=f"audit {report.id} ({report.status})", box=None)
    for status in ("ok", "corrupt", "missing", "pending"):
        if status != "pending" or report.counts[status]:
            counts.add_row(status, str(report.counts[status]))
    out.print(counts)
    for failure in report.failures:  # one line each, digest whole, for grep and for the record
        out.print(
            f"{failure.status:<8} {failure.blake3}  checked {failure.checked_at:%Y-%m-%dT%H:%M:%SZ}  "
            f"log index {failure.log_index}",
            highlight=False,
        )


def _print_audit_json(report: AuditReport, run: _AuditRun) -> None:
    """The report as the API's `GET /v1/audits/{id}` gives it, plus `failed` and what this process did."""
    document = {
        **AuditOut.of(report).model_dump(mode="json"),
        "failed": report.failed,
        "run": {
            "checked": run.checked,
            "bytes_checked": run.bytes_checked,
            "seconds": round(run.seconds, 3),
        },
    }
    print(json.dumps(document, indent=2), flush=True)


@app.command()
def audit(
    audit_id: Annotated[
        str | None, typer.Option("--audit", help="Join the audit with this id instead of starting one.")
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=10_000, help="Blobs leased, checked and committed together.")
    ] = DEFAULT_BATCH_SIZE,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Threads reading and hashing blobs (a remote store may want more).",
        ),
    ] = DEFAULT_WORKERS,
    as_json: JsonOption = False,
) -> None:
    """Re-read and re-hash every blob (or help finish an audit); exit 1 when any is corrupt or missing."""
    started = time.perf_counter()
    settings = _settings()
    database = _database(settings)
    store = open_blob_store(settings)
    actor = _cli_actor()
    if audit_id is None:
        with database.unit_of_work() as session:
            audit_id = start_audit(session, actor).id
    run = _sweep_with_progress(
        database, store, audit_id, actor=actor, batch=batch, workers=workers, shown=not as_json
    )
    with database.reading() as session:
        report = get_audit_report(session, audit_id)
    run.seconds = time.perf_counter() - started
    if as_json:
        _print_audit_json(report, run)
    else:
        _print_audit_report(report)
    if report.failed:
        _fail(
            f"audit {report.id}: {report.failed} of {report.total} blobs failed fixity "
            f"({report.counts['corrupt']} corrupt, {report.counts['missing']} missing)"
        )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (folders recursively).")],
    server: Annotated[
        str | None, typer.Option(help="Archive through this server (key in ARCHIVE_KEY), not locally.")
    ] = None,
    metadata: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="A CSV or JSON Lines catalogue.")
    ] = None,
    journal: Annotated[Path, typer.Option(help="What was archived, so that a resumed run skips it.")] = Path(
        ".archive-ingest.jsonl"
    ),
    as_json: JsonOption = False,
) -> None:
    """Archive files and folders, with a progress bar and a summary; resumable after an interruption."""
    files = collect_files(paths)
    catalogue = read_sidecar(metadata) if metadata is not None else None
    target, close = _ingest_target(server)
    try:
        with Progress(
            *Progress.get_default_columns(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err,
            disable=as_json or not err.is_terminal,
        ) as progress:
            task = progress.add_task("archiving", total=sum(f.stat().st_size for f in files))
            summary = ingest_files(
                files,
                target,
                Journal(journal),
                catalogue,
                on_file=lambda _file, size: progress.advance(task, size),
            )
    finally:
        close()
    if as_json:
        print(json.dumps([asdict(outcome) for outcome in summary.outcomes], indent=2))
    else:
        table = Table("archived", "already present", "failed", title=f"{len(files)} files")
        table.add_row(*(str(summary.count(s)) for s in ("archived", "already present", "failed")))
        out.print(table)
        for outcome in summary.outcomes:
            if outcome.status == "failed":
                out.print(f"failed: {outcome.path}: {outcome.reason}", highlight=False, markup=False)
    failed = summary.count("failed")
    if failed:
        _fail(f"{failed} of {len(files)} files were not archived")


def _ingest_target(server: str | None) -> tuple[Target, Callable[[], None]]:
    if server is not None:
        client = ArchiveClient(server, key=os.environ.get("ARCHIVE_KEY"))
        return RemoteTarget(client), client.close
    settings = _settings()
    extractor = ProcessExtractor(
        ExtractionLimits(settings.extract_max_bytes, settings.extract_timeout, settings.extract_workers)
    )
    target = LocalTarget(
        _database(settings),
        open_blob_store(settings),
        extractor,
        settings.effective_spool_dir(),
        _cli_actor(),
    )
    return target, extractor.close


def main() -> None:
    try:
        app()
    except ArchiveError as exc:
        _fail(exc.detail)
    except KeyboardInterrupt:
        sys.exit(130)
