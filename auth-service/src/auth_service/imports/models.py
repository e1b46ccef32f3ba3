import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth_service.db import Base


class PurchaseImportJob(Base):
    """A CSV of orders, imported in the background in batches; `processed_rows` moves
    with each committed batch, so a restarted service goes on from there."""

    __tablename__ = "purchase_import"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    dry_run: Mapped[bool] = mapped_column(Boolean)
    has_status_column: Mapped[bool] = mapped_column(Boolean)
    total_rows: Mapped[int] = mapped_column(Integer)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    pending_shopper: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PurchaseImportChunk(Base):
    """The uploaded rows (no header), in pieces of about 1 MiB, each ending at a row's end."""

    __tablename__ = "purchase_import_chunk"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("purchase_import.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_line: Mapped[int] = mapped_column(Integer)  # the file's line number of its first row
    rows: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PurchaseImportError(Base):
    __tablename__ = "purchase_import_error"

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("purchase_import.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    error: Mapped[str] = mapped_column(Text)
