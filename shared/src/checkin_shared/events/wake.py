"""Waking the outbox relay after a commit that wrote events: in the process, not by NOTIFY.

A transaction that has called NOTIFY takes one lock for the whole PostgreSQL cluster when
it commits, and holds it across its commit's WAL flush (`PreCommit_Notify` in
`src/backend/commands/async.c`: "Serialize writers by acquiring a special lock that we
hold till after commit"). Every such commit waits for the one before it, so commits that
NOTIFY are never flushed together. On this machine, with both cores busy, 32 connections
inserting a row each committed about 570 times a second with NOTIFY and 13,000 without
(p50 52 ms against 1.6 ms); the check-in, which NOTIFYed, stalled at the same rate.

So the relay of a process is woken by that process itself:
- a relay registers its `hint` for its outbox table while it runs;
- `add_event` marks the session, and the session's commit calls the hints (a rollback
  calls nothing: those rows never existed);
- the hot statements (the check-in, the grant) ask `notify_needed` whether their statement
  must still NOTIFY, and call `written` once their own transaction has committed.

A process with no relay of that outbox (a CLI command, a migration, a test without one)
still NOTIFYs, so a relay elsewhere hears of its rows at once; rows of another replica are
published by that replica's relay, and every relay also polls (`outbox_poll_seconds`)."""

import threading
from collections.abc import Callable

from sqlalchemy import Table, event
from sqlalchemy.orm import Session

Hint = Callable[[], None]
PENDING = "checkin.outbox_written"  # in Session.info: the outboxes written, until commit

_hints: dict[str, list[Hint]] = {}
_lock = threading.Lock()


def register(outbox: Table, hint: Hint) -> Callable[[], None]:
    """`hint` is called (from any thread) after each commit of this process that wrote
    rows to `outbox`. Returns the function that unregisters it."""
    with _lock:
        _hints.setdefault(outbox.fullname, []).append(hint)

    def unregister() -> None:
        with _lock:
            hints = _hints.get(outbox.fullname, [])
            if hint in hints:
                hints.remove(hint)

    return unregister


def notify_needed(outbox: Table) -> bool:
    """Whether a write to `outbox` must still NOTIFY: no relay of it runs in this process."""
    return not _hints.get(outbox.fullname)


def written(outbox: Table) -> None:
    """Rows of `outbox` were committed by this process: wake its relays."""
    for hint in list(_hints.get(outbox.fullname, ())):
        hint()


def mark(session: Session, outbox: Table) -> None:
    """`session`'s transaction wrote rows to `outbox`: wake its relays when it commits."""
    session.info.setdefault(PENDING, set()).add(outbox)


# Both events fire for savepoints too; only the outermost transaction decides. (A rollback
# from inside a savepoint may leave a mark behind: at worst a later commit of the same
# session wakes the relay for nothing.)
@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        for outbox in session.info.pop(PENDING, ()):
            written(outbox)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PENDING, None)
