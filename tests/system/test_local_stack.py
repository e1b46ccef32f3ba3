"""The `make dev` stack as real processes, used only through HTTP as a client would."""

import asyncio
import email
import email.header
import mailbox
import re
from pathlib import Path
from typing import Any

import httpx
from auth_service.keys.signing import generate_private_key_pem
from checkin_testkit.auth import FORGERIES, forged_tokens
from checkin_testkit.events import eventually
from checkin_testkit.metrics import promql_metric_names, series_names
from checkin_testkit.monitoring import NOT_FROM_THE_CODE, monitored_queries
from services import GATEWAY_METRICS_OFFSET  # deploy/devstack, on the path (conftest)

REPO = Path(__file__).resolve().parents[2]


async def test_a_newcomer_registers_logs_in_and_reads_me_through_the_gateway(
    local_stack: Any,
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        assert (await client.get("/readyz")).json()["status"] == "ready"
        user = {"email": "newcomer@example.com", "password": "s3cret phrase", "name": "New"}
        assert (await client.post("/auth/register", json=user)).status_code == 201
        pair = (await client.post("/auth/login", json=user | {"name": None})).status_code
        assert pair == 422  # unknown field "name" is refused, nothing written
        login = await client.post("/auth/login", json={k: user[k] for k in ("email", "password")})
        tokens = login.json()
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.json()["email"] == user["email"]
        assert me.headers["x-request-id"]
        rotated = await client.post(
            "/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert rotated.status_code == 200
        new = rotated.json()
        out = await client.post(
            "/auth/logout",
            json={"refresh_token": new["refresh_token"]},
            headers={"Authorization": f"Bearer {new['access_token']}"},
        )
        assert out.status_code == 204


async def test_the_demo_shopper_is_seeded_and_eligible(local_stack: Any) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        login = await client.post(
            "/auth/login", json={"email": "demo@example.com", "password": "check in 2026!"}
        )
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.json()["eligible"] is True


async def test_forged_tokens_are_refused_at_the_gateway_and_the_service(local_stack: Any) -> None:
    forged = forged_tokens(generate_private_key_pem(), "00000000-0000-0000-0000-000000000000")
    async with httpx.AsyncClient(timeout=10) as client:
        for base in (local_stack.gateway, local_stack.service_url(1)):
            for case in FORGERIES:
                response = await client.get(
                    f"{base}/auth/me", headers={"Authorization": f"Bearer {forged[case]}"}
                )
                assert response.status_code == 401, (base, case)


async def test_the_gateway_serves_every_route_in_its_docs(local_stack: Any) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    expected = {
        "/auth/register",
        "/auth/login",
        "/auth/refresh",
        "/auth/logout",
        "/auth/me",
        "/auth/me/purchases",
        "/auth/.well-known/jwks.json",
        "/auth/admin/purchases",
        "/auth/admin/users",
    }
    assert expected <= set(paths)


async def test_the_docs_pages_need_nothing_from_the_internet(local_stack: Any) -> None:
    """Swagger UI and ReDoc, the merged ones and a service's through the gateway: every
    script, style and icon they load is served by us (works offline, no CDN)."""
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        for page_path in ("/docs", "/redoc", "/rewards/docs", "/auth/redoc"):
            page = await client.get(page_path)
            assert page.status_code == 200, page_path
            loads = re.findall(r"""(?:src|href)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
            assets = [u for u in loads if not u.endswith("openapi.json")]
            assert len(assets) >= 2, (page_path, loads)
            assert all(u.startswith("/") and not u.startswith("//") for u in loads), loads
            for asset in assets:
                fetched = await client.get(asset)
                assert fetched.status_code == 200, asset
                assert len(fetched.content) > 1000, asset


async def test_a_shopper_checks_in_once_a_day_through_the_gateway(local_stack: Any) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        login = await client.post(
            "/auth/login", json={"email": "demo@example.com", "password": "check in 2026!"}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        first = await client.post("/attendance/check-ins", headers=headers)
        assert first.status_code == 201, first.text
        second = await client.post("/attendance/check-ins", headers=headers)
        assert second.status_code == 409
        assert second.json()["code"] == "already_checked_in"
        me = await client.get("/attendance/me", headers=headers)
        assert me.json()["checked_in_today"] is True

        user = {"email": "no-purchase@example.com", "password": "s3cret phrase", "name": "N"}
        await client.post("/auth/register", json=user)
        token = (
            await client.post("/auth/login", json={k: user[k] for k in ("email", "password")})
        ).json()["access_token"]
        refused = await client.post(
            "/attendance/check-ins", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "not_eligible"


async def test_the_demo_campaign_is_seeded_and_a_claim_goes_through_the_gateway(
    local_stack: Any,
) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        tiers = (await client.get("/rewards/admin/tiers", headers=admin)).json()["items"]
        assert {(t["name"], t["required_days"], t["stock"]) for t in tiers} >= {
            ("5,000 points", 5, 1000),
            ("Wireless earphones", 15, 50),
        }
        one_day = await client.post(
            "/rewards/admin/tiers",
            headers=admin,
            json={
                "name": "Welcome sticker",
                "required_days": 1,
                "kind": "item",
                "stock": 3,
                "low_stock_threshold": 1,
            },
        )
        assert one_day.status_code == 201
        tier_id = one_day.json()["id"]

        user = {"email": "claimer@example.com", "password": "s3cret phrase", "name": "C"}
        await client.post("/auth/register", json=user)
        await client.post(
            "/auth/admin/purchases",
            headers=admin,
            json={
                "items": [
                    {
                        "email": user["email"],
                        "order_id": "SYS-CLAIM-1",
                        "amount": "1000",
                        "currency": "KRW",
                        "purchased_at": "2026-11-01T12:00:00+09:00",
                    }
                ]
            },
        )
        login = await client.post("/auth/login", json={k: user[k] for k in ("email", "password")})
        shopper = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (await client.post("/attendance/check-ins", headers=shopper)).status_code == 201

        async def status() -> str:
            overview = (await client.get("/rewards", headers=shopper)).json()
            return str(next(t for t in overview["tiers"] if t["id"] == tier_id)["status"])

        assert await status() in ("locked", "claimable")  # never an error meanwhile
        await eventually(lambda: _is(status, "claimable"), within=10)
        claim = await client.post(f"/rewards/{tier_id}/claims", headers=shopper)
        assert claim.status_code == 201
        assert await status() == "claimed"
        refused = await client.get("/rewards/admin/claims", headers=shopper)
        assert refused.status_code == 403
        listed = await client.get(f"/rewards/admin/claims?tier_id={tier_id}", headers=admin)
        assert [c["user_id"] for c in listed.json()["items"]] == [login_user_id(login)]

        # the claim's email reaches the local mail sink, and the admin sees it in the log
        def mails_to(address: str) -> list[email.message.Message]:
            box = mailbox.Maildir(local_stack.state / "mail", create=False)
            return [m for m in box if m["To"] == address]

        async def mailed() -> bool:
            return len(mails_to(user["email"])) == 1

        await eventually(mailed, within=20)
        [mail] = mails_to(user["email"])
        assert "Welcome sticker" in str(
            email.header.make_header(email.header.decode_header(mail["Subject"]))
        )
        assert claim.json()["claim_number"] in text_of(mail)  # not the claim's UUID
        assert claim.json()["claim_id"] not in text_of(mail)
        log = await client.get(
            "/notifications/admin/notifications?kind=reward_claimed", headers=admin
        )
        sent = [n for n in log.json()["items"] if n["recipient"] == user["email"]]
        assert [(n["status"], n["attempts"]) for n in sent] == [("sent", 1)]
        mine = await client.get("/notifications/me", headers=shopper)
        assert [n["kind"] for n in mine.json()["items"]] == ["reward_claimed"]

        # the stock crosses its threshold (2 -> 1): the admin, the seeded alert recipient,
        # gets one low-stock mail
        crossed = await client.post(
            f"/rewards/admin/tiers/{tier_id}/stock-adjustments",
            json={"delta": -1, "reason": "damaged"},
            headers=admin,
        )
        assert crossed.json() == {"stock": 1}

        async def alerted() -> bool:
            return len(mails_to(local_stack.admin[0])) == 1

        await eventually(alerted, within=20)

        # the claims as CSV, then the shopper logs out
        csv_export = await client.get(
            f"/rewards/admin/claims?tier_id={tier_id}", headers={**admin, "Accept": "text/csv"}
        )
        lines = csv_export.text.strip().splitlines()
        assert lines[0] == (
            "claim_id,claim_number,user_id,email,name,tier_id,tier_name,kind,points,claimed_at,"
            "fulfilment_status"
        )
        assert len(lines) == 2 and "Welcome sticker" in lines[1]
        assert ",claimer@example.com,C," in lines[1]  # the reward service's copy names them
        out = await client.post(
            "/auth/logout", json={"refresh_token": login.json()["refresh_token"]}, headers=shopper
        )
        assert out.status_code == 204
        refreshed = await client.post(
            "/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        )
        assert refreshed.status_code == 401


def text_of(mail: email.message.Message) -> str:
    """Every text part of a mail, decoded."""
    return "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in mail.walk()
        if part.get_content_maintype() == "text"
    )


async def test_a_reminder_is_in_the_shoppers_language_and_unsubscribes_in_one_click(
    local_stack: Any,
) -> None:
    """Signed up with an English browser on a Korean shop: an English reminder whose
    List-Unsubscribe link works through the gateway without a token."""
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        user = {"email": "reminded@example.com", "password": "s3cret phrase", "name": "Rae"}
        made = await client.post(
            "/auth/register", json=user, headers={"Accept-Language": "en-GB,en;q=0.9"}
        )
        assert (made.status_code, made.json()["locale"]) == (201, "en")
        imported = await client.post(
            "/auth/admin/purchases",
            headers=admin,
            json={
                "items": [
                    {
                        "email": user["email"],
                        "order_id": "SYS-REMIND-1",
                        "amount": "1000",
                        "currency": "KRW",
                        "purchased_at": "2026-11-01T12:00:00+09:00",
                    }
                ]
            },
        )
        assert imported.status_code == 200

        def reminders_to(address: str) -> list[email.message.Message]:
            box = mailbox.Maildir(local_stack.state / "mail", create=False)
            return [m for m in box if m["To"] == address]

        async def reminded() -> bool:
            run = await client.post("/notifications/admin/reminders/run", headers=admin)
            assert run.status_code == 202
            return len(reminders_to(user["email"])) == 1

        await eventually(reminded, within=20)  # once the purchase's event has arrived
        [mail] = reminders_to(user["email"])
        assert "You have not checked in yet today" in text_of(mail)
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = mail["List-Unsubscribe"].strip("<>")
        assert link.startswith(f"{local_stack.gateway}/notifications/unsubscribe?token=")

        one_click = await client.post(
            link,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (one_click.status_code, one_click.json()) == (200, {"reminders": False})
        login = await client.post("/auth/login", json={k: user[k] for k in ("email", "password")})
        shopper = {"Authorization": f"Bearer {login.json()['access_token']}"}
        prefs = await client.get("/notifications/me/preferences", headers=shopper)
        assert prefs.json() == {"reminders": False, "locale": "en"}
        forged = await client.post(link[:-3] + "abc")
        assert (forged.status_code, forged.json()["code"]) == (400, "invalid_link")


async def test_eligibility_follows_imports_and_refunds_without_a_new_token(
    local_stack: Any,
) -> None:
    """A check-in within 2 s of the import, with the token held since before it; and
    2 s after the refund of the only order, with a token minted while eligible, refused."""
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}

        async def shopper(email: str) -> dict[str, str]:
            user = {"email": email, "password": "s3cret phrase", "name": "E"}
            await client.post("/auth/register", json=user)
            login = await client.post(
                "/auth/login", json={"email": email, "password": user["password"]}
            )
            return {"Authorization": f"Bearer {login.json()['access_token']}"}

        async def order(email: str, order_id: str, status: str) -> None:
            item = {
                "email": email,
                "order_id": order_id,
                "amount": "1000",
                "currency": "KRW",
                "purchased_at": "2026-11-01T12:00:00+09:00",
                "status": status,
            }
            answer = await client.post(
                "/auth/admin/purchases", headers=admin, json={"items": [item]}
            )
            assert answer.status_code == 200, answer.text

        early = await shopper("eligible-later@example.com")  # minted before any purchase
        assert (await client.post("/attendance/check-ins", headers=early)).status_code == 403
        await order("eligible-later@example.com", "SYS-EL-1", "paid")

        async def checked_in() -> bool:
            answer = await client.post("/attendance/check-ins", headers=early)
            return answer.status_code == 201

        await eventually(checked_in, within=2)

        refunded = "refunded@example.com"
        await client.post(
            "/auth/register", json={"email": refunded, "password": "s3cret phrase", "name": "R"}
        )
        await order(refunded, "SYS-EL-2", "paid")
        holder = await shopper(refunded)  # this token says eligible
        await order(refunded, "SYS-EL-2", "refunded")
        await asyncio.sleep(2)
        answer = await client.post("/attendance/check-ins", headers=holder)
        assert (answer.status_code, answer.json()["code"]) == (403, "not_eligible")


async def test_the_shops_servers_record_orders_with_a_key_and_a_signed_webhook(
    local_stack: Any,
) -> None:
    """Through the gateway with no token: an API key, then a signed order webhook; the
    shopper's check-in with the token held since before follows within 2 s."""
    import json
    import time

    from checkin_shared.webhook_signature import signed_headers

    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        key = await client.post(
            "/auth/admin/api-keys",
            json={"name": "order system", "scopes": ["purchases:write"]},
            headers=admin,
        )
        assert key.status_code == 201
        hook = await client.post(
            "/auth/admin/order-webhooks", json={"name": "orders"}, headers=admin
        )
        assert hook.status_code == 201

        async def shopper(email: str) -> dict[str, str]:
            user = {"email": email, "password": "s3cret phrase", "name": "S"}
            assert (await client.post("/auth/register", json=user)).status_code == 201
            login = await client.post(
                "/auth/login", json={"email": email, "password": "s3cret phrase"}
            )
            return {"Authorization": f"Bearer {login.json()['access_token']}"}

        async def checks_in(headers: dict[str, str]) -> None:
            async def done() -> bool:
                answer = await client.post("/attendance/check-ins", headers=headers)
                return answer.status_code == 201

            await eventually(done, within=2)

        by_key = await shopper("by-key@example.com")
        item = {
            "email": "by-key@example.com",
            "order_id": "SYS-KEY-1",
            "amount": "1000",
            "currency": "KRW",
            "purchased_at": "2026-11-01T12:00:00+09:00",
        }
        sent = await client.post(
            "/auth/integrations/purchases",
            json={"items": [item]},
            headers={"X-Api-Key": key.json()["key"]},
        )
        assert (sent.status_code, sent.json()["imported"]) == (200, 1)
        await checks_in(by_key)

        by_hook = await shopper("by-hook@example.com")
        event = {
            "event_id": "evt-sys-1",
            "type": "order.paid",
            "order": {**item, "order_id": "SYS-HOOK-1", "email": "by-hook@example.com"},
        }
        raw = json.dumps(event).encode()
        headers = {
            **signed_headers(hook.json()["secret"], raw, now=time.time()),
            "Content-Type": "application/json",
        }
        posted = await client.post(hook.json()["path"], content=raw, headers=headers)
        assert (posted.status_code, posted.json()) == (200, {"status": "applied"})
        unsigned = await client.post(hook.json()["path"], json=event)
        assert (unsigned.status_code, unsigned.json()["code"]) == (401, "invalid_signature")
        await checks_in(by_hook)


async def test_a_shopper_signs_in_with_the_shops_account_through_the_gateway(
    local_stack: Any,
) -> None:
    from checkin_testkit.apps import running_server
    from checkin_testkit.oidc import TestIssuer

    issuer = TestIssuer()
    async with (
        running_server(issuer.app()) as url,
        httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client,
    ):
        issuer.url = url
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        registered = await client.post(
            "/auth/admin/identity-providers",
            json={"name": "shop", "issuer": url, "audience": "checkin"},
            headers=admin,
        )
        assert registered.status_code == 201, registered.text
        token = issuer.id_token(sub="shop-42", email="sso@example.com", audience="checkin")
        exchanged = await client.post(
            "/auth/token-exchange",
            json={
                "subject_token": token,
                "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            },
        )
        assert exchanged.status_code == 200, exchanged.text
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {exchanged.json()['access_token']}"}
        )
        assert me.json()["email"] == "sso@example.com"
        forged = await client.post(
            "/auth/token-exchange",
            json={
                "subject_token": token[:-4] + "AAAA",
                "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            },
        )
        assert (forged.status_code, forged.json()["code"]) == (401, "invalid_token")


async def test_a_csv_import_then_a_claim_the_shop_is_told_of(local_stack: Any) -> None:
    """Through the gateway: orders from a CSV (a background job), the shopper's check-in,
    a claim; the shop's receiver (make dev's stand-in) gets reward.claimed, signed."""
    import json

    from checkin_testkit.shoppers import is_claimable

    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        admin_login = await client.post(
            "/auth/login",
            json={"email": local_stack.admin[0], "password": local_stack.admin[1]},
        )
        admin = {"Authorization": f"Bearer {admin_login.json()['access_token']}"}
        from services import DEMO_SHOP  # deploy/devstack (on the path in conftest)

        shop = local_stack.service_url(DEMO_SHOP.port_offset)
        hook = await client.post(
            "/notifications/admin/webhooks",
            json={"url": f"{shop}/hooks", "events": ["reward.claimed"]},
            headers=admin,
        )
        assert hook.status_code == 201, hook.text
        email = "csv-claimer@example.com"
        user = {"email": email, "password": "s3cret phrase", "name": "C"}
        assert (await client.post("/auth/register", json=user)).status_code == 201
        login = await client.post("/auth/login", json={"email": email, "password": "s3cret phrase"})
        shopper = {"Authorization": f"Bearer {login.json()['access_token']}"}
        csv = (
            "email,order_id,amount,currency,purchased_at\r\n"
            f"{email},SYS-CSV-1,1000,KRW,2026-11-01T12:00:00+09:00\r\n"
            "not-an-email,SYS-CSV-2,1000,KRW,2026-11-01T12:00:00+09:00\r\n"
        )
        queued = await client.post(
            "/auth/admin/purchase-imports",
            content=csv.encode(),
            headers={**admin, "Content-Type": "text/csv"},
        )
        assert queued.status_code == 202, queued.text
        job_url = f"/auth/admin/purchase-imports/{queued.json()['id']}"

        async def imported() -> bool:
            job = (await client.get(job_url, headers=admin)).json()
            return bool(job["status"] == "done")

        await eventually(imported, within=10)
        job = (await client.get(job_url, headers=admin)).json()
        assert (job["imported"], job["error_rows"]) == (1, 1)
        errors = await client.get(f"{job_url}/errors", headers=admin)
        assert errors.text.splitlines()[1].startswith("3,email")

        async def checked_in() -> bool:
            answer = await client.post("/attendance/check-ins", headers=shopper)
            return answer.status_code in (201, 409)

        await eventually(checked_in, within=5)
        tiers = (await client.get("/rewards/admin/tiers", headers=admin)).json()["items"]
        tier = next((t["id"] for t in tiers if t["required_days"] == 1), None)
        if tier is None:
            made = await client.post(
                "/rewards/admin/tiers",
                headers=admin,
                json={"name": "Day one", "required_days": 1, "kind": "item", "stock": 5},
            )
            tier = made.json()["id"]
        await client.post(
            f"/rewards/admin/tiers/{tier}/stock-adjustments",
            json={"delta": 5, "reason": "for this test"},
            headers=admin,
        )
        await eventually(lambda: is_claimable(client, shopper, tier), within=10)
        claim = await client.post(f"/rewards/{tier}/claims", headers=shopper)
        assert claim.status_code == 201, claim.text
        told = local_stack.state / "shop-hooks.jsonl"

        async def shop_told() -> bool:
            if not told.exists():
                return False
            events = [json.loads(line) for line in told.read_text().splitlines()]
            return any(e["data"].get("claim_id") == claim.json()["claim_id"] for e in events)

        await eventually(shop_told, within=20)
        deliveries = await client.get(
            f"/notifications/admin/webhooks/{hook.json()['id']}/deliveries", headers=admin
        )
        assert [(d["type"], d["status"]) for d in deliveries.json()["items"]] == [
            ("reward.claimed", "sent")
        ]


async def _is(read: Any, expected: str) -> bool:
    return bool(await read() == expected)


def login_user_id(login: httpx.Response) -> str:
    import jwt

    return str(jwt.decode(login.json()["access_token"], options={"verify_signature": False})["sub"])


async def test_a_shopper_is_refused_on_every_admin_route_at_the_gateway(local_stack: Any) -> None:
    async with httpx.AsyncClient(base_url=local_stack.gateway, timeout=10) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
        login = await client.post(
            "/auth/login", json={"email": "demo@example.com", "password": "check in 2026!"}
        )
        shopper = {"Authorization": f"Bearer {login.json()['access_token']}"}
        admin_routes = [
            (method.upper(), path.replace("{tier_id}", "00000000-0000-0000-0000-000000000000"))
            for path, item in paths.items()
            if "/admin/" in path
            for method in item
        ]
        assert len(admin_routes) >= 12
        for method, path in admin_routes:
            response = await client.request(method, path, headers=shopper, json={})
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["code"] == "forbidden"


async def test_every_metric_an_alert_or_a_dashboard_panel_reads_is_exported(
    local_stack: Any,
) -> None:
    """So a panel cannot go blank, nor an alert go silent, because a metric was renamed:
    the names come from the rule files and dashboards, the exports from the real
    processes' /metrics (gateway and every service)."""
    exported: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as client:
        # the gateway's internal metrics port, and the four services
        for offset in (GATEWAY_METRICS_OFFSET, 1, 2, 3, 4):
            response = await client.get(f"{local_stack.service_url(offset)}/metrics")
            assert response.status_code == 200
            exported |= series_names(response.text)
        # never on the gateway's public port
        public = await client.get(f"{local_stack.service_url(0)}/metrics")
        assert public.status_code == 404
    queries = monitored_queries(REPO)
    assert len(queries) >= 20
    missing = {
        where: sorted(promql_metric_names(expr) - exported - NOT_FROM_THE_CODE)
        for where, expr in queries.items()
    }
    assert {where: names for where, names in missing.items() if names} == {}
