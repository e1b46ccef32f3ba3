"""The audit log of a service's admin writes: who did what to which thing, the state
before and after, and the request it came with. `record` is called inside the request's
unit of work, so an entry exists exactly when the change it describes was committed.
`audit_router` serves `GET /<segment>/admin/audit` (staff only)."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    FromClause,
    Index,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.errors import ProblemError
from checkin_shared.openapi_examples import example
from checkin_shared.pagination import CursorQuery, LimitQuery, NewestFirst, Page, keyset_page
from checkin_shared.request_id import request_id_var
from checkin_shared.security import staff_principal
from checkin_shared.unit_of_work import SessionDep


def audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_entry",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor_id", Uuid, nullable=False),
        Column("action", String(100), nullable=False),
        Column("target", String(200), nullable=False),
        Column("before", JSONB),
        Column("after", JSONB),
        Column("request_id", String(200)),
        Index("ix_audit_entry_at", "at"),
    )


async def record(
    session: AsyncSession,
    table: Table,
    *,
    actor_id: uuid.UUID,
    action: str,
    target: str,
    at: datetime,
    before: Any = None,
    after: Any = None,
) -> None:
    """One entry, in the caller's transaction. `before`/`after` are JSON-able (no personal
    data: an address is never audited, only that it changed)."""
    await session.execute(
        table.insert().values(
            id=uuid.uuid4(),
            at=at,
            actor_id=actor_id,
            action=action,
            target=target,
            before=before,
            after=after,
            request_id=request_id_var.get(),
        )
    )


class AuditEntry(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "at": "2026-11-30T10:00:00+09:00",
                "actor_id": "0d9c8b7a-6f5e-4d3c-2b1a-098765432100",
                "actor_email": "ops@example.com",
                "action": "tier.updated",
                "target": "tier:5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                "before": {"stock": 50, "active": True},
                "after": {"stock": 50, "active": False},
                "request_id": "b7f3c2a1d4e5f6a7b8c9d0e1f2a3b4c5",
            }
        )
    )

    at: datetime
    actor_id: uuid.UUID
    actor_email: str | None = Field(description="From the service's copy of user events")
    action: str
    target: str
    before: Any
    after: Any
    request_id: str | None


def audit_router(
    segment: str, table: Table, people: FromClause, people_id: Any, people_email: Any
) -> APIRouter:
    """`GET /<segment>/admin/audit`, newest first; `people` is where the service knows its
    admins' emails (its copy of user events, or the accounts themselves)."""
    router = APIRouter(
        prefix=f"/{segment}/admin",
        tags=["admin: audit"],
        dependencies=[Depends(staff_principal)],
    )
    order = NewestFirst(table.c.at, table.c.id, lambda row: (row.at, row.id))

    @router.get(
        "/audit",
        summary="Who changed what: every admin write of this service",
        responses={422: {"description": "invalid_range or invalid_cursor"}},
    )
    async def audit_log(
        session: SessionDep,
        start: Annotated[date | None, Query(alias="from", description="UTC day")] = None,
        end: Annotated[date | None, Query(alias="to", description="UTC day, inclusive")] = None,
        actor_id: uuid.UUID | None = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        limit: LimitQuery = 50,
        cursor: CursorQuery = None,
    ) -> Page[AuditEntry]:
        """Every admin write, newest first, recorded in the same transaction as the change:
        its actor (id and email), action, target, the state before and after, and the
        request id (also in the service's logs). Filter by UTC days, actor and action."""
        if start and end and start > end:
            raise ProblemError(422, "invalid_range", "Invalid range", "`from` is after `to`")
        filters: list[ColumnElement[bool]] = []
        if start:
            filters.append(table.c.at >= datetime.combine(start, time(), tzinfo=UTC))
        if end:
            next_day = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
            filters.append(table.c.at < next_day)
        if actor_id:
            filters.append(table.c.actor_id == actor_id)
        if action:
            filters.append(func.lower(table.c.action) == action.lower())
        statement = (
            select(*table.c, people_email.label("actor_email"))
            .outerjoin(people, people_id == table.c.actor_id)
            .where(*filters)
        )
        rows, next_cursor = await keyset_page(session, statement, order, cursor=cursor, limit=limit)
        items = [AuditEntry.model_validate(dict(row._mapping)) for row in rows]
        return Page[AuditEntry](items=items, next_cursor=next_cursor)

    return router
