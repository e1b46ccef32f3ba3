import uuid
from datetime import datetime
from typing import Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict

JOB = {
    "id": "2c9e4b1a-6d3f-4a5b-8c7d-e9f0a1b2c3d4",
    "status": "running",
    "dry_run": False,
    "total_rows": 100000,
    "processed_rows": 42000,
    "imported": 41890,
    "skipped": 95,
    "pending_shopper": 1204,
    "error_rows": 15,
    "error": None,
    "created_at": "2026-11-30T10:00:00+09:00",
    "finished_at": None,
}


class ImportQueued(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"id": JOB["id"], "status": "queued"}))

    id: uuid.UUID
    status: Literal["queued"]


class ImportJobRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=example(JOB))

    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    dry_run: bool
    total_rows: int
    processed_rows: int
    imported: int
    skipped: int
    pending_shopper: int
    error_rows: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
