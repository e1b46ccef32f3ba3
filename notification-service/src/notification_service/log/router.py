import uuid
from typing import Annotated

from checkin_shared import audit
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import AdminUser, CurrentUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Query, Request, status

from notification_service.db import AUDIT
from notification_service.dependencies import ClockDep, SchedulerDep
from notification_service.directory import service as directory
from notification_service.log import service
from notification_service.log.schemas import (
    AdminNotification,
    AlertRecipients,
    Kind,
    MyNotification,
    RemindersQueued,
    Status,
)

router = APIRouter(prefix="/notifications", tags=["notifications"])
admin = APIRouter(
    prefix="/notifications/admin",
    tags=["admin: notifications"],
    dependencies=[Depends(admin_area)],
)


@router.get("/me", summary="My notifications, newest first")
async def my_notifications(
    principal: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[MyNotification]:
    """The messages sent (or being sent) to me, newest first."""
    rows, next_cursor = await service.page(
        session, limit=limit, cursor=cursor, user_id=principal.user_id
    )
    items = [MyNotification.model_validate(n, from_attributes=True) for n in rows]
    return Page[MyNotification](items=items, next_cursor=next_cursor)


ADMIN_FIELDS = ("channel", "recipient", "user_id", "attempts", "last_error", "next_attempt_at")


@admin.get("/notifications", summary="Every notification, with attempts and last error")
async def all_notifications(
    session: SessionDep,
    kind: Kind | None = None,
    state: Annotated[Status | None, Query(alias="status")] = None,
    user_id: uuid.UUID | None = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AdminNotification]:
    """Every notification, newest first, with its attempts and last error; filter by `kind`,
    `status` (a `failed` one was given up on) and `user_id` (one shopper's mails)."""
    rows, next_cursor = await service.page(
        session, limit=limit, cursor=cursor, kind=kind, status=state, user_id=user_id
    )
    named = await service.people(session, {n.user_id for n in rows if n.user_id})
    items = [
        AdminNotification.model_validate(
            {
                **MyNotification.model_validate(n, from_attributes=True).model_dump(),
                **{f: getattr(n, f) for f in ADMIN_FIELDS},
                "email": named.get(n.user_id, (None, None))[0] if n.user_id else None,
                "name": named.get(n.user_id, (None, None))[1] if n.user_id else None,
            }
        )
        for n in rows
    ]
    return Page[AdminNotification](items=items, next_cursor=next_cursor)


@admin.post(
    "/reminders/run", status_code=status.HTTP_202_ACCEPTED, summary="Queue today's reminders now"
)
async def run_reminders(
    reminders: SchedulerDep,
    request: Request,
    admin_user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
) -> RemindersQueued:
    """Queues today's reminder for every eligible shopper who has not checked in today and
    has reminders on; once per shopper and day, however often it is run."""
    queued = await reminders.run_now()
    request.app.state.sender.wake()
    await audit.record(
        session,
        AUDIT,
        actor_id=admin_user.user_id,
        action="reminders.run",
        target="reminders",
        after={"queued": queued},
        at=clock.now(),
    )
    return RemindersQueued(queued=queued)


@admin.get("/alert-recipients", summary="Who gets the low-stock alerts")
async def get_recipients(session: SessionDep) -> AlertRecipients:
    """The addresses that get the low-stock alerts."""
    return AlertRecipients.model_validate({"emails": await directory.recipients(session)})


@admin.put("/alert-recipients", summary="Replace the low-stock alert recipients")
async def put_recipients(
    body: AlertRecipients, admin_user: AdminUser, session: SessionDep, clock: ClockDep
) -> AlertRecipients:
    """Replaces the low-stock alert recipients (at most 100; stored lower-cased, once each)."""
    before = await directory.recipients(session)
    emails = await directory.replace_recipients(
        session, [str(e) for e in body.emails], now=clock.now()
    )
    await audit.record(
        session,
        AUDIT,
        actor_id=admin_user.user_id,
        action="alert_recipients.replaced",
        target="alert_recipients",
        before={"emails": before},
        after={"emails": emails},
        at=clock.now(),
    )
    return AlertRecipients.model_validate({"emails": emails})
