import pytest
from checkin_shared.errors import ProblemError
from checkin_shared.pagination import decode_cursor, encode_cursor


def test_a_cursor_round_trips_its_values() -> None:
    cursor = encode_cursor("2026-11-21T00:00:00+09:00", 42)
    assert decode_cursor(cursor, 2) == ["2026-11-21T00:00:00+09:00", "42"]


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", encode_cursor("only one")])
def test_a_cursor_we_did_not_make_is_a_422(cursor: str) -> None:
    with pytest.raises(ProblemError) as caught:
        decode_cursor(cursor, 2)
    assert caught.value.status == 422
    assert caught.value.code == "invalid_cursor"
