"""Contracts exist as code, their schemas are kept, and incompatible changes are caught."""

import copy

from checkin_shared.events.contracts import CONTRACTS
from checkin_shared.events.schemas import check, current_schema, incompatibilities


def test_the_handbooks_event_table_exists_as_code() -> None:
    assert set(CONTRACTS) == {
        "user.registered.v1",
        "user.profile_changed.v1",
        "purchase.recorded.v1",
        "user.eligibility_changed.v1",
        "attendance.checked_in.v1",
        "reward.campaign_changed.v1",
        "reward.makeup_requested.v1",
        "attendance.makeup_applied.v1",
        "attendance.makeup_refused.v1",
        "reward.claimed.v1",
        "reward.points_changed.v1",
        "reward.points_expiring.v1",
        "reward.fulfilment_changed.v1",
        "reward.stock_low.v1",
        "reward.stock_adjusted.v1",
    }


def test_only_the_audit_only_type_may_go_unrouted() -> None:
    """Who consumes a type is the consumer's declaration; the contract only says whether a
    publish nobody is bound for is an error (the event then waits in the outbox)."""
    unrouted = {t for t, contract in CONTRACTS.items() if not contract.must_route}
    assert unrouted == {"reward.stock_adjusted.v1"}


def test_the_committed_schemas_match_the_code() -> None:
    assert check() == []


def test_removing_retyping_or_requiring_a_field_is_incompatible() -> None:
    old = current_schema("reward.claimed.v1")
    removed = copy.deepcopy(old)
    del removed["properties"]["tier_name"]
    retyped = copy.deepcopy(old)
    retyped["properties"]["tier_name"] = {"type": "integer"}
    required = copy.deepcopy(old)
    required["required"].append("points")
    assert incompatibilities(old, removed) == ["field 'tier_name' removed"]
    assert incompatibilities(old, retyped) == ["field 'tier_name' changed type"]
    assert incompatibilities(old, required) == ["field 'points' is newly required"]


def test_adding_an_optional_field_is_compatible() -> None:
    old = current_schema("user.registered.v1")
    new = copy.deepcopy(old)
    new["properties"]["nickname"] = {"type": "string", "default": "friend"}
    assert incompatibilities(old, new) == []


def test_a_stale_or_broken_schema_file_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from checkin_shared.events.schemas import write

    write(tmp_path)
    assert check(tmp_path) == []
    path = tmp_path / "user.registered.v1.json"
    path.write_text(path.read_text().replace('"email"', '"e_mail"'))
    problems = check(tmp_path)
    assert len(problems) == 1
    assert "incompatible" in problems[0] and "new version" in problems[0]
