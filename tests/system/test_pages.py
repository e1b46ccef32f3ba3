"""The pages in a real browser (Debian's headless Chromium, driven by Playwright) against
the stack `make dev` runs: a shopper signs in, checks in, sees the stamp and claims a
one-day item with an address; an operator finds the claim by the shopper's email and
marks it shipped; the shopper's page then shows the tracking number. Each page passes an
axe-core scan with no serious or critical violation, and the shopper page fits 375 px."""

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from checkin_shared.db import make_engine
from checkin_testkit.shoppers import PASSWORD, admin_headers, one_day_tier
from services import DEMO_SHOP  # deploy/devstack, on the path by this folder's conftest
from sqlalchemy import make_url, text

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no chromium (`make test` installs Debian's chromium with apt-get where it can)",
    ),
]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the pages' screenshots go: a temporary folder, or the README's
    (`PAGE_SCREENSHOTS=docs/screenshots`) when they are taken again on purpose."""
    chosen = os.environ.get("PAGE_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        await launched.close()


async def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def a_shopper_with_a_purchase(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    email = f"page-{uuid.uuid4().hex[:8]}@example.com"
    made = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "name": "Page Kim"}
    )
    assert made.status_code == 201, made.text
    order = {
        "email": email,
        "order_id": f"P-{uuid.uuid4().hex[:8]}",
        "amount": "12000",
        "currency": "KRW",
        "purchased_at": "2026-11-20T10:00:00+09:00",
    }
    imported = await client.post("/auth/admin/purchases", json={"items": [order]}, headers=admin)
    assert imported.json()["imported"] == 1, imported.text
    return email


async def sign_in(page: Any, url: str, email: str, password: str) -> None:
    await page.goto(url)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def test_a_shopper_claims_an_item_and_sees_it_shipped(
    local_stack: Any, browser: Any, screenshots: Path
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        tier = await one_day_tier(client, admin, name="Browser mug", stock=3, threshold=1)
        email = await a_shopper_with_a_purchase(client, admin)

    shopper = await browser.new_page(viewport={"width": 375, "height": 800})
    await sign_in(shopper, f"{local_stack.gateway}/app/?lang=en", email, PASSWORD)
    await shopper.get_by_role("button", name="Check in").click()
    await shopper.get_by_text("Checked in!").wait_for()
    await shopper.locator("td.today.stamped").wait_for()

    card = shopper.locator(f'li[data-tier="{tier}"]')
    for _ in range(40):  # the check-in reaches the reward service as an event
        if await card.get_attribute("class") == "tier claimable":
            break
        await shopper.reload()
        await card.wait_for()
    await card.get_by_label("Recipient").fill("Page Kim")
    await card.get_by_label("Phone").fill("010-5555-0177")
    await card.get_by_label("Address", exact=True).fill("7 Browser-ro")
    await card.get_by_label("Postal code").fill("04524")
    await card.get_by_role("button", name="Send").click()
    await shopper.get_by_text("Browser mug: claimed").wait_for()
    await shopper.get_by_text("Being prepared").wait_for()
    assert await serious_violations(shopper) == []
    width = await shopper.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375: it scrolls sideways"
    await shopper.screenshot(path=str(screenshots / "shopper-page.png"), full_page=True)

    operator = await browser.new_page(viewport={"width": 1280, "height": 900})
    email_admin, password_admin = local_stack.admin
    await sign_in(operator, f"{local_stack.gateway}/admin/", email_admin, password_admin)
    await operator.get_by_label("Shopper email").fill(email)
    await operator.get_by_role("button", name="Search").click()
    await operator.locator('#claims-results[aria-busy="false"]').wait_for()
    row = operator.locator("#claims-results tr", has_text=email)
    assert await operator.locator("#claims-results tbody tr").count() == 1  # found by email
    ship = row.locator("form.ship")
    await ship.get_by_label("Carrier").fill("CJ Logistics")
    await ship.get_by_label("Tracking number").fill("TRK-BROWSER-1")
    await ship.get_by_role("button", name="Mark shipped").click()
    await operator.get_by_text("marked shipped").wait_for()
    assert await serious_violations(operator) == []
    await operator.screenshot(path=str(screenshots / "admin-console.png"), full_page=True)

    await shopper.reload()
    await shopper.get_by_text("TRK-BROWSER-1").wait_for()


async def test_the_shopper_page_speaks_korean_by_default_and_takes_the_shops_id_token(
    local_stack: Any, browser: Any, screenshots: Path
) -> None:
    shop = local_stack.service_url(DEMO_SHOP.port_offset)
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        registered = await client.post(
            "/auth/admin/identity-providers",
            headers=admin,
            json={"name": "Demo shop", "issuer": shop, "audience": "checkin-demo"},
        )
        assert registered.status_code in (201, 409), registered.text
        sub = uuid.uuid4().hex[:10]
        email = f"sso-{sub}@example.com"
        id_token = (
            await client.get(f"{shop}/id-token", params={"sub": sub, "email": email, "name": "김"})
        ).text

    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(f"{local_stack.gateway}/app/")
    assert await page.get_attribute("html", "lang") == "ko"
    await page.get_by_role("heading", name="로그인").wait_for()
    assert await serious_violations(page) == []
    page = await browser.new_page(viewport={"width": 390, "height": 844})  # from the shop
    await page.goto(f"{local_stack.gateway}/app/#id_token={id_token}")
    await page.get_by_role("button", name="출석하기").wait_for()  # signed in, in Korean
    assert "#" not in page.url, "the ID token stays in the address bar"
    await page.get_by_role("button", name="출석하기").click()
    # no purchase yet: refused, and told what to do
    await page.get_by_text("구매 내역이 있는 회원만 출석할 수 있어요").wait_for()
    assert await serious_violations(page) == []
    await page.screenshot(path=str(screenshots / "shopper-page-ko.png"), full_page=True)


async def test_every_console_section_opens_for_support_and_passes_the_scan(
    local_stack: Any, browser: Any, screenshots: Path
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        email = f"cs-{uuid.uuid4().hex[:8]}@example.com"
        made = await client.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "name": "CS Park"}
        )
        role = await client.put(
            f"/auth/admin/users/{made.json()['id']}/role", json={"role": "support"}, headers=admin
        )
        assert role.status_code == 200, role.text

    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, f"{local_stack.gateway}/admin/", email, PASSWORD)
    await page.get_by_text(f"{email} (support)").wait_for()
    sections = await page.locator(".tabs a").all_text_contents()
    assert len(sections) == 9, sections
    for section in sections:
        await page.get_by_role("link", name=section).click()
        await page.locator(f'.tabs a[aria-current="page"]:text-is("{section}")').wait_for()
        await page.locator("#view .card").first.wait_for()
        await page.wait_for_load_state("networkidle")
        status = await page.locator("#status").text_content()
        assert not status, f"{section}: {status}"
        assert await serious_violations(page) == [], section
        if section == "Attendance":
            await page.locator("svg.chart").wait_for()
            await page.screenshot(path=str(screenshots / "admin-attendance.png"), full_page=True)
    # support may read the stock but not change it: the console shows the API's refusal
    await page.get_by_role("link", name="Stock").click()
    form = page.locator("#view form").first
    await form.get_by_label("Change").fill("5")
    await form.get_by_label("Reason").fill("found a box")
    await form.get_by_role("button", name="Adjust").click()
    await page.get_by_text("(forbidden)").wait_for()


async def test_an_admin_sets_up_tiers_keys_and_points_from_the_console(
    local_stack: Any, browser: Any
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        email = await a_shopper_with_a_purchase(client, admin)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(page, f"{local_stack.gateway}/admin/", *local_stack.admin)

    await page.get_by_role("link", name="Campaign & tiers").click()
    campaign = page.locator("form", has=page.get_by_role("button", name="Save campaign"))
    await campaign.get_by_label("Points per check-in day").fill("5")
    await campaign.get_by_role("button", name="Save campaign").click()
    await page.get_by_text("Campaign saved").wait_for()
    new_tier = page.locator("form", has=page.get_by_role("button", name="Add tier"))
    name = f"Console stickers {uuid.uuid4().hex[:4]}"
    await new_tier.get_by_label("Name").fill(name)
    await new_tier.get_by_label("Days", exact=True).fill("3")
    await new_tier.get_by_label("Rule").select_option("consecutive")
    await new_tier.get_by_label("Prize").select_option("item")
    await new_tier.get_by_label("Stock").fill("12")
    await new_tier.get_by_label("Daily limit (optional)").fill("2")
    await new_tier.get_by_role("button", name="Add tier").click()
    await page.get_by_text(f"Tier {name} added").wait_for()
    row = page.locator("tr", has_text=name)
    await row.get_by_text("3 in a row, 2 a day").wait_for()
    await row.get_by_role("button", name="Retire").click()
    await page.get_by_text(f"{name}: retired").wait_for()
    await row.get_by_text("retired", exact=True).wait_for()

    await page.get_by_role("link", name="Shop connections").click()
    keys = page.locator("section", has=page.get_by_role("heading", name="API keys"))
    await keys.get_by_label("Name", exact=True).fill("Order sync")
    await keys.get_by_label("purchases:write").check()
    await keys.get_by_role("button", name="Make key").click()
    shown = await page.locator(".once code").text_content()
    assert shown and len(shown) > 20, shown
    await keys.locator("tr", has_text="Order sync").first.wait_for()
    order_hooks = page.locator("section", has=page.get_by_role("heading", name="Order webhooks"))
    await order_hooks.get_by_label("Name", exact=True).fill("Shop orders")
    await order_hooks.get_by_role("button", name="Make order webhook").click()
    await order_hooks.locator("tr", has_text="Shop orders").first.wait_for()
    assert "whsec_" in (await page.locator(".once code").text_content() or "")

    await page.get_by_role("link", name="Shoppers").click()
    await page.get_by_label("Email, name or id").fill(email)
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("button", name=email).click()
    detail = page.locator("#shopper-detail")
    await detail.get_by_text("12000").wait_for()  # the purchase
    await detail.get_by_label("Points (negative takes back)").fill("500")
    await detail.get_by_label("Reason").fill("sorry for the delay")
    await detail.get_by_role("button", name="Grant").click()
    await page.get_by_text(f"Points granted to {email}").wait_for()
    await detail.get_by_text("Balance: 500").wait_for()  # the shopper's points, as staff see them
    assert errors == []

    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        mine = {"Authorization": f"Bearer {login.json()['access_token']}"}
        points = await client.get("/rewards/me/points", headers=mine)
        assert points.json()["balance"] == 500
        tiers = (await client.get("/rewards", headers=mine)).json()["tiers"]
        assert name not in {tier["name"] for tier in tiers}  # retired: hidden from shoppers
        overview = (await client.get("/rewards", headers=mine)).json()
        assert overview["campaign"]["daily_points"] == 5


async def test_an_admin_plans_a_campaign_and_a_shopper_fills_a_missed_day(
    local_stack: Any, browser: Any, screenshots: Path
) -> None:
    """The console: make-up days offered on the running campaign, next campaign drafted,
    refused while it overlaps, published once the running one has an end, a tier added to
    it. The shopper page: a missed day filled with points, marked on the calendar."""
    today = datetime.now(ZoneInfo("Asia/Seoul")).date()
    yesterday = today - timedelta(days=1)
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        email = await a_shopper_with_a_purchase(client, admin)
        running = (await client.get("/rewards/admin/campaign", headers=admin)).json()
    starts_on = min(running["starts_on"], (today - timedelta(days=5)).isoformat())
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(page, f"{local_stack.gateway}/admin/", *local_stack.admin)
    await page.get_by_role("link", name="Campaign & tiers").click()
    campaign = page.locator("form", has=page.get_by_role("button", name="Save campaign"))
    await campaign.get_by_label("Starts on").fill(starts_on)
    await campaign.get_by_label("Make-up day costs (points, optional)").fill("100")
    await campaign.get_by_label("Make-up days per shopper").fill("2")
    await campaign.get_by_role("button", name="Save campaign").click()
    await page.get_by_text("Campaign saved").wait_for()

    name = f"Event 2099 {uuid.uuid4().hex[:4]}"
    draft = page.locator("form", has=page.get_by_role("button", name="Create draft"))
    await draft.get_by_label("Name").fill(name)
    await draft.get_by_label("Starts on").fill("2099-01-01")
    await draft.get_by_label("Ends on").fill("2099-01-31")
    await draft.get_by_role("button", name="Create draft").click()
    await page.get_by_text(f"Draft {name} created").wait_for()
    row = page.locator("tr", has_text=name)
    await row.get_by_text("draft", exact=True).wait_for()
    await row.get_by_role("button", name="Edit").click()
    edit = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    await edit.get_by_label("Ends on").fill("2099-01-30")
    await edit.get_by_label("Only with a purchase within (days, optional)").fill("30")
    await edit.get_by_role("button", name="Save changes").click()
    await page.get_by_text(f"{name} saved").wait_for()
    await row.get_by_text("2099-01-30").wait_for()  # the new last day
    await row.get_by_role("button", name="Publish").click()
    await page.get_by_text("(campaign_overlap)").wait_for()  # the running one has no end
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        listed = (await client.get("/rewards/admin/campaigns", headers=admin)).json()
        edited = next(c for c in listed["items"] if c["name"] == name)
        assert edited["eligibility"] == {"purchased_within_days": 30, "min_total_amount": None}
        ended = await client.patch(
            f"/rewards/admin/campaigns/{running['id']}",
            json={"ends_on": "2098-12-31"},
            headers=admin,
        )
        assert ended.status_code == 200, ended.text
    await row.get_by_role("button", name="Publish").click()
    await page.get_by_text(f"{name} published").wait_for()
    await row.get_by_text("scheduled", exact=True).wait_for()
    new_tier = page.locator("form", has=page.get_by_role("button", name="Add tier"))
    await new_tier.get_by_label("Name").fill("New year gift")
    await new_tier.get_by_label("Days", exact=True).fill("10")
    await new_tier.get_by_label("Prize").select_option("item")
    await new_tier.get_by_label("Stock").fill("30")
    await new_tier.get_by_label("For the campaign").select_option(
        label=f"{name} (scheduled, from 2099-01-01)"
    )
    await new_tier.get_by_role("button", name="Add tier").click()
    await page.get_by_text("Tier New year gift added").wait_for()
    assert await page.locator("tr", has_text="New year gift").count() == 0  # not this one's
    await page.screenshot(path=str(screenshots / "admin-campaigns.png"), full_page=True)
    assert await serious_violations(page) == []

    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        mine = {"Authorization": f"Bearer {login.json()['access_token']}"}
        profile = (await client.get("/auth/me", headers=mine)).json()
        grant = {"user_ids": [profile["id"]], "amount": 150, "reason": "page"}
        granted = await client.post("/rewards/admin/points-grants", json=grant, headers=admin)
        assert granted.status_code == 201, granted.text

    shopper = await browser.new_page(viewport={"width": 375, "height": 900})
    shopper.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(shopper, f"{local_stack.gateway}/app/?lang=en", email, PASSWORD)
    section = shopper.locator("#makeup")
    await section.get_by_text("Fill a day you missed for 100 points").wait_for()
    await section.get_by_label("Day to fill").fill(yesterday.isoformat())
    await section.get_by_role("button", name="Fill it with points").click()
    await shopper.locator("#makeup-result", has_text="filled").wait_for()
    assert "could not" not in (await shopper.locator("#makeup-result").text_content() or "")
    if yesterday.month == today.month:  # this month's calendar shows it
        await shopper.locator(f'td.madeup span[data-day="{yesterday.isoformat()}"]').wait_for()
    await shopper.locator("#points-balance", has_text="50").wait_for()
    await shopper.locator("#makeup").screenshot(path=str(screenshots / "shopper-makeup.png"))
    assert await serious_violations(shopper) == []
    assert errors == []
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        attendance = (await client.get("/attendance/me", headers=mine)).json()
        assert attendance["makeup_days"] == 1


async def test_a_reward_reached_in_the_last_campaign_is_still_claimable_on_the_page(
    local_stack: Any, browser: Any, postgres_admin_url: str, test_run_id: str
) -> None:
    """A campaign of March 2020 (published long after it ended) with a one-day points tier;
    the shopper had a day in it. Today's page lists that reward under the campaign's name,
    and it is claimed from there."""
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin = await admin_headers(client, local_stack.admin)
        email = await a_shopper_with_a_purchase(client, admin)
        name = f"Spring 2020 {uuid.uuid4().hex[:4]}"
        spring = await client.post(
            "/rewards/admin/campaigns",
            json={"name": name, "starts_on": "2020-03-01", "ends_on": "2020-03-31"},
            headers=admin,
        )
        assert spring.status_code == 201, spring.text
        tier = {
            "name": "Spring points",
            "required_days": 1,
            "kind": "points",
            "points": 70,
            "stock": 5,
        }
        added = await client.post(
            f"/rewards/admin/campaigns/{spring.json()['id']}/tiers", json=tier, headers=admin
        )
        assert added.status_code == 201, added.text
        published = await client.post(
            f"/rewards/admin/campaigns/{spring.json()['id']}/publish", headers=admin
        )
        assert published.json()["status"] == "ended", published.text
        login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
        mine = {"Authorization": f"Bearer {login.json()['access_token']}"}
        user_id = (await client.get("/auth/me", headers=mine)).json()["id"]
    # the shopper's day of March 2020, as the reward service's copy of days holds it
    database = make_url(postgres_admin_url).set(
        drivername="postgresql+asyncpg", database=f"checkin_stack_{test_run_id}"
    )
    engine = make_engine(database.render_as_string(hide_password=False), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO reward.attendance_day (user_id, day) VALUES (:u, '2020-03-05')"),
                {"u": uuid.UUID(user_id)},
            )
    finally:
        await engine.dispose()

    page = await browser.new_page(viewport={"width": 375, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_in(page, f"{local_stack.gateway}/app/?lang=en", email, PASSWORD)
    earlier = page.locator("#earlier")
    await earlier.get_by_text(f"Still to claim from {name}").wait_for()
    await earlier.get_by_role("button", name="Claim").click()
    await page.get_by_text("Spring points: claimed").wait_for()
    await page.locator("#points-balance", has_text="70").wait_for()
    await earlier.wait_for(state="hidden")  # nothing left to claim there
    assert errors == []
