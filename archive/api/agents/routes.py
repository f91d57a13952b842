"""People and organisations, and what each is credited with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from archive.api.agents.schemas import AgentOut
from archive.api.deps import Reader, Uow
from archive.api.openapi import problem_doc, unauthenticated_doc
from archive.services import access

router = APIRouter(prefix="/v1/agents", tags=["agents"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: unauthenticated_doc(),
    404: problem_doc("No such agent."),
    422: problem_doc("A malformed id."),
    503: problem_doc("The database is unavailable; retry."),
}


@router.get("/{agent_id}", response_model=AgentOut, summary="An agent and its credits", responses=_ERRORS)
def get_agent(agent_id: Annotated[int, Path(ge=1, le=2**62)], uow: Uow, viewer: Reader) -> AgentOut:
    with uow.reading():
        return AgentOut.of(access.agent_for(uow, viewer, agent_id))
