"""Reading an uploaded CSV as it arrives: text decoded incrementally (a UTF-8 BOM
dropped), cut into pieces that end at a row's end (a newline outside quotes), so each
piece parses on its own and nothing holds the whole file."""

import codecs
import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

COLUMNS = ["email", "order_id", "amount", "currency", "purchased_at"]
WITH_STATUS = [*COLUMNS, "status"]
PIECE_BYTES = 1_048_576


def split_at_last_row_end(text: str, *, in_quotes: bool) -> tuple[int, bool]:
    """The index just past the last newline that ends a row (outside quotes), or 0; and
    whether the text's end is inside quotes. Doubled quotes toggle twice: no harm."""
    cut = 0
    for index, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "\n" and not in_quotes:
            cut = index + 1
    return cut, in_quotes


def count_rows(text: str) -> int:
    return sum(1 for row in csv.reader(io.StringIO(text)) if row)


@dataclass
class Piece:
    text: str
    rows: int


async def pieces(stream: AsyncIterator[bytes]) -> AsyncIterator[Piece]:
    """Complete rows, about PIECE_BYTES at a time (the last may lack a final newline).
    Raises UnicodeDecodeError for bytes that are not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    # `scanned`: how much of `pending` is known to hold no row end; `quoted`: its state
    pending, scanned, quoted = "", 0, False
    async for chunk in stream:
        pending += decoder.decode(chunk)
        if len(pending) < PIECE_BYTES:
            continue
        cut, quoted_at_end = split_at_last_row_end(pending[scanned:], in_quotes=quoted)
        if cut:
            cut += scanned
            text, pending = pending[:cut], pending[cut:]
            yield Piece(text, count_rows(text))
            scanned, quoted = 0, False  # the rest begins at a row's start
        else:
            scanned, quoted = len(pending), quoted_at_end
    pending += decoder.decode(b"", final=True)
    if pending.strip():
        yield Piece(pending, count_rows(pending))


def first_row_end(text: str) -> int:
    """The index just past the first row (its newline outside quotes), or len(text)."""
    in_quotes = False
    for index, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "\n" and not in_quotes:
            return index + 1
    return len(text)
