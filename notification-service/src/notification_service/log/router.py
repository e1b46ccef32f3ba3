from typing import Annotated

from checkin_shared.db import SessionDep
from checkin_shared.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    decode_time_id_cursor,
    encode_cursor,
)
from checkin_shared.security import CurrentUser, admin_principal
from checkin_shared.state import from_state
from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from notification_service.directory.models import AlertRecipient, Contact
from notification_service.log.models import Notification
from notification_service.log.schemas import (
    AdminNotification,
    AlertRecipients,
    Kind,
    MyNotification,
    Preferences,
    RemindersQueued,
    Status,
)
from notification_service.reminders.service import ReminderScheduler

router = APIRouter(prefix="/notifications", tags=["notifications"])
admin = APIRouter(
    prefix="/notifications/admin",
    tags=["admin: notifications"],
    dependencies=[Depends(admin_principal)],
)
SchedulerDep = Annotated[ReminderScheduler, Depends(from_state("reminders"))]


async def _page(session: SessionDep, statement, limit: int, cursor: str | None):  # type: ignore[no-untyped-def]
    after = decode_time_id_cursor(cursor) if cursor else None
    statement = statement.order_by(Notification.created_at.desc(), Notification.id.desc())
    if after:
        statement = statement.where(
            tuple_(Notification.created_at, Notification.id) < tuple_(*after)
        )
    rows = list((await session.execute(statement.limit(limit + 1))).scalars())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
    return rows[:limit], next_cursor


@router.get("/me", summary="My notifications, newest first")
async def my_notifications(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[MyNotification]:
    statement = select(Notification).where(Notification.user_id == principal.user_id)
    rows, next_cursor = await _page(session, statement, limit, cursor)
    items = [MyNotification.model_validate(n, from_attributes=True) for n in rows]
    return Page[MyNotification](items=items, next_cursor=next_cursor)


@router.put("/me/preferences", summary="Turn the daily reminder on or off")
async def set_preferences(
    body: Preferences, principal: CurrentUser, session: SessionDep, request: Request
) -> Preferences:
    now = request.app.state.clock.now()
    await session.execute(
        insert(Contact)
        .values(user_id=principal.user_id, reminders=body.reminders, updated_at=now)
        .on_conflict_do_update(
            index_elements=[Contact.user_id],
            set_={"reminders": body.reminders, "updated_at": now},
        )
    )
    await session.commit()
    return body


@admin.get("/notifications", summary="Every notification, with attempts and last error")
async def all_notifications(
    session: SessionDep,
    kind: Kind | None = None,
    state: Annotated[Status | None, Query(alias="status")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AdminNotification]:
    statement = select(Notification)
    if kind:
        statement = statement.where(Notification.kind == kind)
    if state:
        statement = statement.where(Notification.status == state)
    rows, next_cursor = await _page(session, statement, limit, cursor)
    items = [AdminNotification.model_validate(n, from_attributes=True) for n in rows]
    return Page[AdminNotification](items=items, next_cursor=next_cursor)


@admin.post(
    "/reminders/run", status_code=status.HTTP_202_ACCEPTED, summary="Queue today's reminders now"
)
async def run_reminders(reminders: SchedulerDep, request: Request) -> RemindersQueued:
    queued = await reminders.run_now()
    request.app.state.sender.wake()
    return RemindersQueued(queued=queued)


@admin.get("/alert-recipients", summary="Who gets the low-stock alerts")
async def get_recipients(session: SessionDep) -> AlertRecipients:
    emails = await session.execute(select(AlertRecipient.email).order_by(AlertRecipient.email))
    return AlertRecipients(emails=list(emails.scalars()))


@admin.put("/alert-recipients", summary="Replace the low-stock alert recipients")
async def put_recipients(
    body: AlertRecipients, session: SessionDep, request: Request
) -> AlertRecipients:
    now = request.app.state.clock.now()
    emails = sorted({str(e).lower() for e in body.emails})
    await session.execute(delete(AlertRecipient))
    for email in emails:
        session.add(AlertRecipient(email=email, created_at=now))
    await session.commit()
    return AlertRecipients.model_validate({"emails": emails})
