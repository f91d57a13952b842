"""What changed between two versions of a document: text, fields, credits and notices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from archive.services.history import VersionDiff


class LineChangeOut(BaseModel):
    kind: str
    from_lines: tuple[int, int]
    to_lines: tuple[int, int]
    removed: list[str]
    added: list[str]


class TextDiffOut(BaseModel):
    unified: str
    changes: list[LineChangeOut]
    lines_added: int
    lines_removed: int


class FieldChangeOut(BaseModel):
    field: str
    before: Any
    after: Any


class ListDiffOut(BaseModel):
    added: list[Any]
    removed: list[Any]


class DiffOut(BaseModel):
    document_id: str
    from_version: int = Field(serialization_alias="from")
    to_version: int = Field(serialization_alias="to")
    text: TextDiffOut | None
    fields: list[FieldChangeOut]
    credits: ListDiffOut
    update_notices: ListDiffOut

    @classmethod
    def of(cls, diff: VersionDiff) -> DiffOut:
        text = None
        if diff.unified is not None:
            text = TextDiffOut(
                unified=diff.unified,
                changes=[
                    LineChangeOut(
                        kind=c.kind,
                        from_lines=(c.from_start, c.from_end),
                        to_lines=(c.to_start, c.to_end),
                        removed=c.removed,
                        added=c.added,
                    )
                    for c in diff.changes
                ],
                lines_added=diff.lines_added,
                lines_removed=diff.lines_removed,
            )
        return cls(
            document_id=diff.document_id,
            from_version=diff.from_version.number,
            to_version=diff.to_version.number,
            text=text,
            fields=[FieldChangeOut(field=f.field, before=f.before, after=f.after) for f in diff.fields],
            credits=ListDiffOut(added=diff.credits_added, removed=diff.credits_removed),
            update_notices=ListDiffOut(added=diff.notices_added, removed=diff.notices_removed),
        )
