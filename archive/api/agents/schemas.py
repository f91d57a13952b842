"""The agents API's own wire models: an agent and what it is credited with."""

from __future__ import annotations

from pydantic import BaseModel

from archive.services.documents import AgentView
from archive.wire.versions import version_path


class AgentCreditOut(BaseModel):
    document_id: str
    version: int
    role: str
    name: str
    title: str | None
    url: str


class AgentOut(BaseModel):
    id: int
    name: str
    kind: str
    identifiers: dict[str, str]
    credits: list[AgentCreditOut]

    @classmethod
    def of(cls, view: AgentView) -> AgentOut:
        agent = view.agent
        return cls(
            id=agent.id,
            name=agent.name,
            kind=agent.kind,
            identifiers=agent.identifiers,
            credits=[
                AgentCreditOut(
                    document_id=version.document_id,
                    version=version.number,
                    role=credit.role,
                    name=credit.name,
                    title=version.title,
                    url=version_path(version.document_id, version.number),
                )
                for credit, version in view.credits
            ],
        )
