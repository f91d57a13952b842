"""`archive search reindex`: rebuild the search index of the database at hand from every version."""

from __future__ import annotations

import json

from rich.progress import MofNCompleteColumn, Progress

from archive.cli.runtime import JsonOption, Runtime, err, out
from archive.services.search import reindex


def search_reindex(as_json: JsonOption = False) -> None:
    """Empty the search index (FTS5 on SQLite, tsvector on PostgreSQL) and index every version again, with
    a progress bar. Versions archived meanwhile are indexed by their own upload, before or after."""
    with Runtime.load() as runtime:
        uow = runtime.unit_of_work()
        with Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=err) as progress:
            task = progress.add_task("indexing versions", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            indexed = reindex(uow, progress=advance)
        with uow.reading():
            engine, held = uow.search.engine, uow.search.count()
    if as_json:
        print(json.dumps({"engine": engine, "indexed": indexed, "held": held}))
        return
    out.print(f"{indexed} versions indexed ({engine})")
