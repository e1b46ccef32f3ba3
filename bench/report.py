"""The benchmark's outputs: a table on stdout, results.json, and a PNG of throughput and
latency over time for each run that was sampled."""

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _ms(us: float | None) -> str:
    return "-" if us is None else f"{us / 1000:.1f}"


def _errors(result: dict[str, Any]) -> str:
    statuses = result.get("statuses", {})
    bad = {s: n for s, n in statuses.items() if not s.startswith("2")}
    transport = {k: v for k, v in result.get("errors", {}).items() if v and k != "status"}
    parts = [f"{n} x {s}" for s, n in sorted(bad.items())] + [
        f"{k} {v}" for k, v in transport.items()
    ]
    return ", ".join(parts) or "0"


def table(results: dict[str, dict[str, Any]]) -> str:
    header = (
        f"{'run':<42} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  "
        f"{'errors / refusals':<24} CPU % of one core"
    )
    lines = [header, "-" * len(header)]
    for name, r in results.items():
        latency = r["latency_us"]
        rps = "-" if r.get("rps") is None else f"{r['rps']:,.0f}"
        cpu = ", ".join(f"{k} {v:.0f}" for k, v in r.get("cpu_percent", {}).items() if v >= 1)
        lines.append(
            f"{name:<42} {rps:>9} {_ms(latency.get('p50')):>8} {_ms(latency.get('p95')):>8} "
            f"{_ms(latency.get('p99')):>8}  {_errors(r):<24} {cpu}"
        )
        check = r.get("check")
        if check:
            lines.append(f"{'':<4}check: {'OK' if check['ok'] else 'FAILED'}: {check['detail']}")
    return "\n".join(lines)


def chart(results: dict[str, dict[str, Any]], path: Path) -> None:
    sampled = {name: r["series"] for name, r in results.items() if r.get("series")}
    if not sampled:
        return
    figure, axes = plt.subplots(len(sampled), 1, figsize=(10, 3.2 * len(sampled)), squeeze=False)
    for axis, (name, series) in zip(axes[:, 0], sampled.items(), strict=True):
        t = [p["t"] for p in series]
        axis.plot(t, [p["rps"] for p in series], color="tab:blue", label="requests/s")
        axis.set_ylabel("requests/s", color="tab:blue")
        axis.set_title(name, fontsize=10)
        axis.set_ylim(bottom=0)
        latency = axis.twinx()
        latency.plot(t, [p["p50_ms"] for p in series], color="tab:green", label="p50 ms")
        latency.plot(t, [p["p99_ms"] for p in series], color="tab:red", label="p99 ms")
        latency.set_ylabel("ms")
        latency.set_ylim(bottom=0)
        axis.set_xlabel("seconds")
        lines = axis.get_legend_handles_labels()
        more = latency.get_legend_handles_labels()
        axis.legend(lines[0] + more[0], lines[1] + more[1], loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def write(results: dict[str, dict[str, Any]], machine: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine, "runs": results, "targets": targets(results)}
    (out / "results.json").write_text(json.dumps(document, indent=2))
    chart(results, out / "bench.png")


GATEWAY_CHECKINS = "check-ins through the gateway"
GATEWAY_READS = "GET /rewards through the gateway"
CHECKIN_FLOOR = "floor: a check-in, nothing of ours"
READS_FLOOR = "floor: GET /rewards, nothing of ours"
STORM_FLOOR = "floor: a claim storm, nothing of ours"
MAIL = "event latency: claim answered -> mail accepted"


def _p(result: dict[str, Any], q: str) -> float:
    return float(result["latency_us"].get(q) or 0) / 1000


def targets(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets of the hot-path issue, each with the measured value and met/missed."""
    rows: list[dict[str, Any]] = []

    def add(
        target: str,
        value: float | None,
        limit: float,
        *,
        at_least: bool,
        unit: str,
        floor: float | None = None,
    ) -> None:
        met = value is not None and (value >= limit if at_least else value <= limit)
        shown = "-" if value is None else f"{value:,.1f} {unit}".strip()
        row: dict[str, Any] = {"target": target, "value": shown, "met": met}
        if floor is not None:
            row["floor"] = f"{floor:,.1f} {unit}".strip()
        rows.append(row)

    checkins = results.get(GATEWAY_CHECKINS)
    floor = results.get(CHECKIN_FLOOR)
    if checkins:
        add(
            "check-ins/s through the gateway >= 1,000",
            checkins["rps"],
            1000,
            at_least=True,
            unit="/s",
            floor=floor["rps"] if floor else None,
        )
        add(
            "check-in p99 <= 100 ms",
            _p(checkins, "p99"),
            100,
            at_least=False,
            unit="ms",
            floor=_p(floor, "p99") if floor else None,
        )
        errors = sum(n for s, n in checkins["statuses"].items() if not s.startswith("2"))
        errors += sum(v for k, v in checkins.get("errors", {}).items() if k != "status")
        add("check-in errors = 0", errors, 0, at_least=False, unit="")
        add(
            "whole-system CPU per check-in <= 1.8 ms",
            checkins.get("system_cpu_ms_per_request"),
            1.8,
            at_least=False,
            unit="ms",
            floor=floor.get("system_cpu_ms_per_request") if floor else None,
        )
        lag = checkins.get("event_lag", {})
        add(
            "event lag check-in -> reward p99 <= 1 s",
            lag.get("p99_ms"),
            1000,
            at_least=False,
            unit="ms",
        )
        bounded = checkins.get("largest_queue", 0) <= max(1.0, checkins["rps"])
        rows.append(
            {
                "target": "queues bounded (never more than 1 s of the run's rate waiting)",
                "value": f"largest {checkins.get('largest_queue', 0):,}",
                "met": bounded and lag.get("arrived") == lag.get("written"),
            }
        )
    reads = results.get(GATEWAY_READS)
    reads_floor = results.get(READS_FLOOR)
    if reads:
        add(
            "GET /rewards/s through the gateway >= 2,500",
            reads["rps"],
            2500,
            at_least=True,
            unit="/s",
            floor=reads_floor["rps"] if reads_floor else None,
        )
        add(
            "GET /rewards p99 <= 50 ms",
            _p(reads, "p99"),
            50,
            at_least=False,
            unit="ms",
            floor=_p(reads_floor, "p99") if reads_floor else None,
        )
    storm = next((r for n, r in results.items() if n.startswith("claim storm")), None)
    storm_floor = results.get(STORM_FLOOR)
    if storm:
        add(
            "claim storm >= 1,500/s",
            storm["rps"],
            1500,
            at_least=True,
            unit="/s",
            floor=storm_floor["rps"] if storm_floor else None,
        )
        add(
            "claim storm p99 <= 300 ms",
            _p(storm, "p99"),
            300,
            at_least=False,
            unit="ms",
            floor=_p(storm_floor, "p99") if storm_floor else None,
        )
        rows.append(
            {
                "target": "claim storm grants exactly the stock",
                "value": "",
                "met": storm["check"]["ok"],
            }
        )
    mail = results.get(MAIL)
    if mail:
        add("claim -> mail p50 <= 100 ms", _p(mail, "p50"), 100, at_least=False, unit="ms")
        add("claim -> mail p99 <= 500 ms", _p(mail, "p99"), 500, at_least=False, unit="ms")
    return rows


def targets_table(results: dict[str, dict[str, Any]]) -> str:
    """The targets, met or missed; where a floor ran (`floor: a check-in, nothing of ours`,
    `floor: GET /rewards, nothing of ours`, `floor: a claim storm, nothing of ours`), what
    the design's parts alone measured in the same column's terms."""
    rows = targets(results)
    width = max((len(r["target"]) for r in rows), default=10)
    header = f"{'target':<{width}}  {'measured':>16}  {'met?':<6}  parts alone"
    lines = [header, "-" * (len(header) + 6)]
    for row in rows:
        met = "met" if row["met"] else "MISSED"
        lines.append(
            f"{row['target']:<{width}}  {row['value']:>16}  {met:<6}  {row.get('floor', '')}"
        )
    return "\n".join(lines)


def cost_table(results: dict[str, dict[str, Any]]) -> str:
    """CPU ms per request in each process (the cost model) and resident memory."""
    lines = []
    for name, r in results.items():
        per = r.get("cpu_ms_per_request")
        if not per:
            continue
        parts = ", ".join(f"{k} {v:.2f}" for k, v in per.items() if v >= 0.005)
        rss = ", ".join(f"{k} {v:.0f}" for k, v in r.get("rss_mib", {}).items() if v)
        lines.append(f"{name}: {r['system_cpu_ms_per_request']:.2f} ms CPU/request ({parts})")
        lines.append(f"{'':<4}RSS MiB: {rss}")
        if "event_lag" in r:
            lag = r["event_lag"]
            lines.append(
                f"{'':<4}event lag to reward: p50 {lag['p50_ms']} ms, p99 {lag['p99_ms']} ms, "
                f"max {lag['max_ms']} ms ({lag['arrived']:,}/{lag['written']:,} arrived; "
                f"p99 {lag.get('published_p99_ms', 0)} ms of it in the outbox); "
                f"largest queue {r.get('largest_queue', 0):,}"
            )
    legs = results.get(MAIL, {}).get("legs")
    if legs:
        lines.append(
            f"claim answered -> mail accepted, median of each leg ({legs['claims']} claims): "
            f"to published {legs['relay_p50_ms']} ms, RabbitMQ + consumer "
            f"{legs['broker_p50_ms']} ms, queued and sent {legs['sender_p50_ms']} ms, "
            f"into the sink's Maildir {legs['sink_p50_ms']} ms"
        )
    return "\n".join(lines)
