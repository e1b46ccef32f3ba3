"""deploy/monitoring: the alert rules, their promtool unit tests, the Prometheus and
Grafana provisioning and the dashboard, checked without a running Prometheus."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from checkin_testkit.metrics import promql_metric_names
from checkin_testkit.monitoring import (
    MONITORING,
    alert_rules,
    dashboards,
    monitored_queries,
    panel_queries,
)

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
APP_SERVICES = {"gateway", "auth", "attendance", "reward", "notification"}
PROMTOOL = shutil.which("promtool") or str(REPO / ".tools" / "bin" / "promtool")
needs_promtool = pytest.mark.skipif(
    not Path(PROMTOOL).is_file(),
    reason="promtool not installed (`make tools` fetches it from Debian's prometheus package)",
)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMTOOL, *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_promql_reader_finds_exactly_the_metrics_of_a_query() -> None:
    expr = (
        'sum by (service, route) (rate(http_requests_total{status=~"5.."}[5m]))'
        " / on (service) group_left sum(rate(other_total[1m])) > 0.02"
        " and time() - max by (task) (daily_task_last_run_timestamp_seconds) > 26 * 3600"
    )
    assert promql_metric_names(expr) == {
        "http_requests_total",
        "other_total",
        "daily_task_last_run_timestamp_seconds",
    }
    assert promql_metric_names("up == 0") == {"up"}


def test_every_alert_has_a_severity_an_explanation_and_a_runbook_section() -> None:
    runbook = (REPO / "docs" / "operations.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in runbook.splitlines()
        if line.startswith("#")
    }
    rules = alert_rules(REPO)
    assert len(rules) >= 10
    for rule in rules:
        name = rule["alert"]
        assert rule["labels"]["severity"] in {"page", "warn"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
        url = rule["annotations"]["runbook_url"]
        assert url == f"docs/operations.md#{name.lower()}", name
        assert name.lower() in anchors, f"docs/operations.md has no section for {name}"


def test_the_alerts_cover_what_an_operator_is_paged_for() -> None:
    used = {name for rule in alert_rules(REPO) for name in promql_metric_names(rule["expr"])}
    assert {
        "http_requests_total",  # 5xx rate
        "http_request_duration_seconds_bucket",  # p99
        "outbox_oldest_pending_age_seconds",
        "events_queue_consumers",  # a queue with no consumer
        "events_queue_messages",  # anything parked
        "notifications_total",  # failures
        "reward_stock",  # at or under its threshold
        "daily_task_last_run_timestamp_seconds",  # a daily job that did not run
    } <= used


@needs_promtool
def test_promtool_accepts_the_rules_and_the_prometheus_config() -> None:
    rules = promtool("check", "rules", *map(str, (REPO / MONITORING).rglob("rules/*.yml")))
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = promtool(
        "check", "config", "--syntax-only", "deploy/monitoring/prometheus/prometheus.yml"
    )
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_each_alert_fires_in_promtools_unit_tests() -> None:
    """The unit tests feed series that must page and series that must not."""
    tests = REPO / MONITORING / "prometheus" / "tests" / "checkin-alerts.test.yml"
    result = promtool("test", "rules", str(tests))
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {
        case["alertname"]
        for test in yaml.safe_load(tests.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert tested == {rule["alert"] for rule in alert_rules(REPO)}


def test_prometheus_scrapes_every_service_of_the_compose_stack() -> None:
    config = yaml.safe_load((REPO / MONITORING / "prometheus" / "prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    # the gateway's metrics are on its internal port only, the one compose gives it
    gateway_port = COMPOSE["services"]["gateway"]["environment"]["GATEWAY_METRICS_PORT"]
    expected = {f"{s}:8000" for s in APP_SERVICES - {"gateway"}} | {f"gateway:{gateway_port}"}
    assert targets == expected
    published = " ".join(str(p) for p in COMPOSE["services"]["gateway"].get("ports", []))
    assert gateway_port not in published  # never published to the host
    assert set(COMPOSE["services"]) >= APP_SERVICES


def test_compose_mounts_the_monitoring_files_that_exist() -> None:
    for name in ("prometheus", "grafana"):
        for volume in COMPOSE["services"][name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
    grafana = " ".join(COMPOSE["services"]["grafana"]["volumes"])
    assert "/var/lib/grafana/dashboards" in grafana and "/etc/grafana/provisioning" in grafana


def test_the_dashboard_reads_the_provisioned_prometheus() -> None:
    provisioning = REPO / MONITORING / "grafana" / "provisioning"
    [source] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert source["url"] == "http://prometheus:9090" and "prometheus" in COMPOSE["services"]
    [provider] = yaml.safe_load((provisioning / "dashboards" / "checkin.yml").read_text())[
        "providers"
    ]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    boards = dashboards(REPO)
    assert boards
    for board in boards.values():
        panels = board["panels"]
        assert len({p["id"] for p in panels}) == len(panels), "panel ids repeat"
        for panel in panels:
            position = panel["gridPos"]
            assert position["x"] + position["w"] <= 24, panel["title"]
            if panel["type"] == "row":
                continue
            assert panel["datasource"]["uid"] == source["uid"], panel["title"]
            assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
        assert len(panel_queries(board)) >= 10


def test_the_dashboard_shows_what_the_issue_asks_for() -> None:
    [board] = dashboards(REPO).values()
    used = {name for expr in panel_queries(board) for name in promql_metric_names(expr)}
    assert {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "checkins_total",
        "reward_claims_total",
        "reward_stock",
        "events_published_total",
        "events_consumed_total",
        "outbox_pending_events",
        "events_queue_messages",
        "notifications_total",
    } <= used


def test_every_query_names_at_least_one_metric() -> None:
    for where, expr in monitored_queries(REPO).items():
        assert promql_metric_names(expr), where
