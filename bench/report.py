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
    (out / "results.json").write_text(json.dumps({"machine": machine, "runs": results}, indent=2))
    chart(results, out / "bench.png")
