"""The pages the gateway serves: the shopper page, the console and their assets, from
static files on the API's origin, with a policy that loads nothing from elsewhere."""

import re
from typing import Any

import httpx
from api_gateway.main import create_app
from api_gateway.pages import PAGES
from checkin_testkit.apps import lifespan_client


async def test_the_pages_and_every_file_they_load_are_served_without_a_token(
    gateway: httpx.AsyncClient,
) -> None:
    for page, title in (("/app/", "출석 체크"), ("/admin/", "console")):
        html = await gateway.get(page)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert title in html.text
        loaded = re.findall(r'(?:src|href)="(/[^"]+)"', html.text)
        assert loaded, page
        for path in loaded:
            asset = await gateway.get(path)
            assert asset.status_code == 200, path
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html.text), "loads from elsewhere"


async def test_a_page_path_without_its_slash_is_redirected_and_unknown_files_are_404(
    gateway: httpx.AsyncClient,
) -> None:
    bare = await gateway.get("/app", follow_redirects=False)
    assert bare.status_code in (307, 308) and bare.headers["location"].endswith("/app/")
    assert (await gateway.get("/app/nothing-here.js")).status_code == 404
    assert (await gateway.get("/assets/../pages.py")).status_code == 404


async def test_every_script_is_a_module_file_and_no_page_has_inline_script() -> None:
    for html in PAGES.glob("*/index.html"):
        text = html.read_text()
        assert "<script>" not in text and " on" not in re.sub(r"<[^>]*", "", text)
        assert re.findall(r'<script type="module" src="/[^"]+"></script>', text), html


async def test_the_policy_frames_the_shopper_page_only_on_the_shop_and_the_console_nowhere(
    gateway_settings_for: Any,
) -> None:
    settings = gateway_settings_for(cors_origins=["https://shop.example"])
    async with lifespan_client(create_app(settings)) as client:
        shopper = (await client.get("/app/")).headers
        console = (await client.get("/admin/")).headers
    policy = shopper["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'self' https://shop.example" in policy
    assert "frame-ancestors 'none'" in console["content-security-policy"]
    for headers in (shopper, console):
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-cache"
