"""Pure parts of the gateway: buckets, header filtering, OpenAPI merging, access rules."""

from api_gateway.access import is_admin_path, is_public, role_allows
from api_gateway.headers import client_response_headers, upstream_request_headers
from api_gateway.openapi import merge_documents
from api_gateway.ratelimit import TokenBuckets


def test_a_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    buckets = TokenBuckets(rate=2.0, burst=3, max_keys=10)
    assert [buckets.take("k", now=0.0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("k", now=0.0) == 0.5
    assert buckets.take("k", now=0.5) == 0  # one token back after 1/rate seconds


def test_buckets_forget_the_least_recently_seen_keys() -> None:
    buckets = TokenBuckets(rate=1.0, burst=1, max_keys=2)
    buckets.take("a", now=0.0)
    buckets.take("b", now=0.0)
    buckets.take("c", now=0.0)
    assert buckets.take("a", now=0.0) == 0  # "a" was forgotten, so it starts full


def test_admin_paths_are_the_admin_segment_and_below() -> None:
    assert is_admin_path("/rewards/admin")
    assert is_admin_path("/rewards/admin/tiers/1")
    assert not is_admin_path("/rewards/administer")
    assert not is_admin_path("/admin")


def test_support_reads_admin_views_and_writes_only_fulfilment() -> None:
    claim = "/rewards/admin/claims/6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9/fulfilment"
    assert role_allows("support", "GET", "/rewards/admin/claims")
    assert role_allows("support", "HEAD", "/auth/admin/users")
    assert role_allows("support", "POST", claim)
    assert role_allows("support", "POST", "/rewards/admin/fulfilments/import")
    assert not role_allows("support", "POST", claim + "/x")
    assert not role_allows("support", "PUT", claim)
    assert not role_allows("support", "POST", "/rewards/admin/tiers")
    assert not role_allows("support", "PUT", "/auth/admin/users/1/role")
    assert not role_allows("shopper", "GET", "/rewards/admin/claims")
    assert role_allows("shopper", "POST", "/attendance/check-ins")
    assert role_allows("admin", "DELETE", "/auth/admin/api-keys/1")


def test_only_the_documented_routes_are_public() -> None:
    assert is_public("POST", "/auth/login", "auth")
    assert not is_public("GET", "/auth/login", "auth")
    assert is_public("GET", "/rewards/openapi.json", "rewards")
    assert not is_public("POST", "/auth/logout", "auth")


def test_upstream_headers_drop_identity_and_hop_by_hop_headers() -> None:
    headers = upstream_request_headers(
        [("X-User-Id", "1"), ("x-auth-user", "me"), ("TE", "trailers"), ("Accept", "x/y")],
        client_ip="1.2.3.4",
        scheme="https",
        request_id="r",
    )
    names = dict(headers)
    assert "x-user-id" not in names and "x-auth-user" not in names and "te" not in names
    assert names["accept"] == "x/y"
    assert names["x-forwarded-for"] == "1.2.3.4"


def test_response_headers_drop_hop_by_hop_and_connection_listed() -> None:
    kept = dict(
        client_response_headers(
            [
                (b"Connection", b"x-a"),
                (b"X-A", b"1"),
                (b"Transfer-Encoding", b"chunked"),
                (b"X-B", b"2"),
                (b"Server", b"uvicorn"),
            ]
        )
    )
    assert kept == {b"x-b": b"2"}


def test_merging_renames_only_clashing_schemas_and_their_refs() -> None:
    ref = {"$ref": "#/components/schemas/Item"}
    doc_a = {
        "info": {"title": "a"},
        "paths": {"/a/x": {"get": {"schema": ref}}},
        "components": {"schemas": {"Item": {"title": "A"}, "Same": {"type": "string"}}},
    }
    doc_b = {
        "info": {"title": "b"},
        "paths": {"/b/x": {"get": {"schema": ref}}},
        "components": {"schemas": {"Item": {"title": "B"}, "Same": {"type": "string"}}},
    }
    merged = merge_documents({"a": doc_a, "b": doc_b}, title="t")
    schemas = merged["components"]["schemas"]
    assert set(schemas) == {"Item", "b_Item", "Same"}
    assert merged["paths"]["/b/x"]["get"]["schema"] == {"$ref": "#/components/schemas/b_Item"}
    assert merged["paths"]["/a/x"]["get"]["schema"] == ref


def test_the_client_address_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    from api_gateway.client_address import client_address, networks

    ingress = networks(["10.0.0.0/8"])
    # nothing trusted (the default): the header is the client's own word
    assert client_address("127.0.0.1", "1.2.3.4", networks([])) == "127.0.0.1"
    # an untrusted peer cannot choose its address
    assert client_address("203.0.113.9", "1.2.3.4", ingress) == "203.0.113.9"
    # through the ingress: the nearest hop that is not ours
    assert client_address("10.1.2.3", "1.2.3.4", ingress) == "1.2.3.4"
    assert client_address("10.1.2.3", "6.6.6.6, 1.2.3.4, 10.9.9.9", ingress) == "1.2.3.4"
    # garbage in the chain is not trusted, so it is taken as the client
    assert client_address("10.1.2.3", "1.2.3.4, nonsense", ingress) == "nonsense"
    assert client_address("10.1.2.3", None, ingress) == "10.1.2.3"
