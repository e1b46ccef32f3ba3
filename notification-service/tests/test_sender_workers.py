"""A sender with several loops (`sender_workers`) sends each queued mail exactly once:
the loops lease their batches apart, as replicas do. Against the suite's real SMTP server
and database; the loops of this test's own sender (the app's is running too) race for the
same rows."""

import asyncio
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from checkin_shared.events.contracts import AttendanceCheckedInV1, RewardClaimedV1, UserRegisteredV1
from checkin_shared.events.envelope import wrap
from checkin_shared.unit_of_work import unit_of_work
from checkin_testkit.events import eventually
from notification_service.delivery.channels import EmailChannel, WebhookChannel
from notification_service.delivery.sender import Sender
from notification_service.log.service import Queued, enqueue_many
from notification_service.rendering import Rendered


@asynccontextmanager
async def running(client: httpx.AsyncClient, kind: type[Sender], **settings: Any) -> Any:
    """A started sender of `kind` on the app's database with these settings changed;
    stopped (and its mail connections closed) afterwards."""
    app = client.app  # type: ignore[attr-defined]
    changed = app.state.settings.model_copy(update=settings)
    email = EmailChannel(changed)
    async with httpx.AsyncClient() as http:
        sender = kind(
            app.state.session_factory,
            app.state.clock,
            changed,
            email=email,
            webhook=WebhookChannel(http),
        )
        sender.start()
        try:
            yield sender
        finally:
            await sender.stop()
            await email.close()


async def test_many_loops_send_each_queued_mail_exactly_once(
    client: httpx.AsyncClient, smtp: Any
) -> None:
    app = client.app  # type: ignore[attr-defined]
    recipients = [f"worker-{uuid.uuid4().hex[:10]}@example.com" for _ in range(30)]
    now = datetime.now(UTC)
    message = Rendered(subject="Your reward", text="Hello", html="<p>Hello</p>")
    async with running(client, Sender, sender_workers=4, sender_batch_size=3) as sender:
        assert len(sender._tasks) == 4
        async with app.state.session_factory() as session:
            await enqueue_many(
                session,
                [
                    Queued(f"test:{r}", "reward_claimed", "email", r, message, now)
                    for r in recipients
                ],
            )
            await session.commit()
        sender.wake()

        async def all_sent() -> bool:
            return all(smtp.mailbox.to(r) for r in recipients)

        await eventually(all_sent, within=20)
        await asyncio.sleep(0.5)  # room for a wrong second copy
    assert sorted(len(smtp.mailbox.to(r)) for r in recipients) == [1] * 30


class CountingSender(Sender):
    """The real loops, with each round counted instead of run (nothing is due)."""

    rounds = 0

    async def deliver_due(self) -> int:
        self.rounds += 1
        return 0


async def test_a_wake_with_nothing_due_costs_one_round_not_one_per_loop(
    client: httpx.AsyncClient,
) -> None:
    async with running(client, CountingSender, sender_workers=4, sender_poll_seconds=60) as sender:
        await asyncio.sleep(0.1)
        assert sender.rounds == 4  # each loop's first look
        for _ in range(10):  # e.g. ten consumer commits of check-ins
            sender.wake()
            await asyncio.sleep(0.05)
        assert sender.rounds == 4 + 10


async def test_a_committed_batch_wakes_the_sender_only_when_it_queued_a_notification(
    client: httpx.AsyncClient, new_email: Any
) -> None:
    """The consumer hands each committed batch's session to `wake_for`: a batch of
    check-ins (most batches on a busy day) queues nothing and costs no lease; a claim's
    mail is sent at once. With the app's real handlers, on the app's database."""
    app = client.app  # type: ignore[attr-defined]
    handlers = app.state.consumer.handlers
    user, now = uuid.uuid4(), datetime.now(UTC)
    check_in = AttendanceCheckedInV1(user_id=user, day=now.date(), checked_at=now, total_days=1)
    claim = RewardClaimedV1(
        claim_id=uuid.uuid4(),
        user_id=user,
        tier_id=uuid.uuid4(),
        tier_name="Earphones",
        kind="item",
        claimed_at=now,
        stock_left=3,
    )
    async with running(client, CountingSender, sender_workers=1, sender_poll_seconds=60) as sender:
        await asyncio.sleep(0.1)
        assert sender.rounds == 1  # its first look
        async with unit_of_work(app.state.session_factory) as checked_in:
            registered = UserRegisteredV1(user_id=user, email=new_email(), name="Kim")
            await handlers["user.registered.v1"](
                checked_in, wrap(registered, occurred_at=now), registered
            )
            batch = [(wrap(check_in, occurred_at=now), check_in)]
            await handlers["attendance.checked_in.v1"].handle_many(checked_in, batch)
        sender.wake_for(checked_in)
        await asyncio.sleep(0.2)
        assert sender.rounds == 1  # nothing queued: no round
        async with unit_of_work(app.state.session_factory) as claimed:
            claims: list[tuple[Any, Any]] = [(wrap(claim, occurred_at=now), claim)]
            await handlers["reward.claimed.v1"].handle_many(claimed, claims)
        sender.wake_for(claimed)

        async def woken() -> bool:
            return bool(sender.rounds == 2)

        await eventually(woken, within=5)
