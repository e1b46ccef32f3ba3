"""The queries an operator depends on: every alert rule's and every dashboard panel's
PromQL, read from deploy/monitoring."""

import json
from pathlib import Path
from typing import Any

import yaml

MONITORING = Path("deploy") / "monitoring"
RULE_FILES = MONITORING / "prometheus" / "rules"
DASHBOARDS = MONITORING / "grafana" / "dashboards"
NOT_FROM_THE_CODE = {"up"}  # written by Prometheus itself for every scrape target


def alert_rules(repo: Path) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for path in sorted((repo / RULE_FILES).glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules += group["rules"]
    return rules


def dashboards(repo: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text()) for p in sorted((repo / DASHBOARDS).glob("*.json"))}


def panel_queries(dashboard: dict[str, Any]) -> list[str]:
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def monitored_queries(repo: Path) -> dict[str, str]:
    """Where each query is used -> the query."""
    queries = {f"alert {rule['alert']}": rule["expr"] for rule in alert_rules(repo)}
    for name, board in dashboards(repo).items():
        for index, expr in enumerate(panel_queries(board)):
            queries[f"{name} query {index + 1}"] = expr
    return queries
