"""Unit overview: GET /rewards's answer put together from pieces is, byte for byte, what
the response model gives, for every state a shopper can be in, and never an earlier
state's or an earlier catalog's."""

import uuid
from collections import Counter
from datetime import date
from itertools import product

from reward_service.campaigns.schemas import CampaignRead, MakeupRules
from reward_service.catalog import Catalog, TierSnapshot
from reward_service.claims.overview_json import OverviewJson
from reward_service.claims.overview_schemas import RewardsOverview
from reward_service.claims.progress import tier_view
from reward_service.claims.rules import Days


def campaign(name: str) -> CampaignRead:
    return CampaignRead(
        id=uuid.uuid4(),
        status="running",
        name=name,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        timezone="Asia/Seoul",
        daily_points=10,
        makeup=MakeupRules(cost_points=100, max_per_campaign=3),
    )


def snapshot(name: str, required: int, rule: str, *, stock: int = 5) -> TierSnapshot:
    points = 5000 if rule == "every_n_days" else None
    kind = "points" if points else "item"
    return TierSnapshot(
        uuid.uuid4(), name, required, kind, points, stock, 'say "hi"\n', None, rule, None, "claim"
    )


def catalog(*, earlier: bool) -> Catalog:
    tiers = (
        snapshot("5일 출석", 5, "cumulative"),
        snapshot("A week in a row", 7, "consecutive"),
        snapshot("Every 3 days", 3, "every_n_days"),
        snapshot("Sold out", 2, "cumulative", stock=0),
    )
    return Catalog(campaign("December"), tiers, campaign("November") if earlier else None)


def by_the_model(shown: Catalog, days: Days, held: Counter[uuid.UUID]) -> bytes:
    overview = RewardsOverview(
        campaign=shown.campaign,
        tiers=[tier_view(t, days=days, held=held) for t in shown.tiers],
        earlier_campaign=shown.earlier,
    )
    return overview.model_dump_json(by_alias=True).encode()


def test_every_state_answers_what_the_model_answers_one_after_another() -> None:
    answers = OverviewJson()
    for earlier in (False, True):
        shown = catalog(earlier=earlier)
        ids = [t.id for t in shown.tiers]
        states = list(product(range(0, 9, 2), range(0, 8, 3), range(0, 3)))
        for (total, longest, held_each), claimed in product(states, (None, *ids)):
            days = Days(total, min(longest, total), min(longest, total))
            held = Counter({i: held_each for i in ids if claimed in (None, i)})
            assert answers.answer(shown, days, held) == by_the_model(shown, days, held)


def test_a_new_catalog_is_answered_from_its_own_pieces() -> None:
    answers, days, none = OverviewJson(), Days(5, 5, 5), Counter[uuid.UUID]()
    first = catalog(earlier=False)
    answers.answer(first, days, none)
    renamed = Catalog(
        campaign("January"),
        tuple(TierSnapshot(**{**vars(t), "name": t.name + " (new)"}) for t in first.tiers),
        first.campaign,
    )
    assert answers.answer(renamed, days, none) == by_the_model(renamed, days, none)
    assert answers.answer(first, days, none) == by_the_model(first, days, none)
