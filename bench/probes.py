"""What is read while a load runs: CPU time of every process of the stack (from /proc),
and the target's own request counter and latency histogram once a second (its /metrics),
which give throughput and latency over time for the chart."""

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def pids_named(command: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds each named group of processes used between start() and stop()."""

    def __init__(self, services: dict[str, int]) -> None:
        self.services = services

    def _groups(self) -> dict[str, list[int]]:
        groups = {name: [pid] for name, pid in self.services.items()}
        groups["postgres"] = pids_named("postgres")
        groups["rabbitmq"] = pids_named("beam.smp")
        return groups

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: s for pid in pids if (s := cpu_seconds(pid)) is not None}
            for name, pids in self._groups().items()
        }

    def start(self) -> None:
        self._before = self._read()
        self._started = time.monotonic()

    def stop(self) -> dict[str, float]:
        """Per group: CPU used, in percent of one core over the run (the CPU seconds
        themselves are kept in `seconds`)."""
        after = self._read()
        wall = time.monotonic() - self._started
        used = {}
        self.seconds: dict[str, float] = {}
        for name, now in after.items():
            before = self._before.get(name, {})
            seconds = sum(s - before.get(pid, 0.0) for pid, s in now.items())
            self.seconds[name] = seconds
            used[name] = round(100 * seconds / wall, 1)
        self.rss_mib = {
            name: round(sum(rss_kib(pid) for pid in pids) / 1024, 1)
            for name, pids in self._groups().items()
        }
        return used


def rss_kib(pid: int) -> int:
    """Resident memory of a process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


@dataclass
class Sample:
    at: float
    count: float
    buckets: dict[float, float]


@dataclass
class MetricsPoller:
    """The target's http_request_duration_seconds for one method and route, every second."""

    url: str  # where the target's /metrics is (the gateway's: its internal port)
    method: str
    route: str
    samples: list[Sample] = field(default_factory=list)

    async def _read(self, client: httpx.AsyncClient) -> Sample:
        text = (await client.get(f"{self.url}/metrics")).text
        buckets: dict[float, float] = {}
        count = 0.0
        for family in text_string_to_metric_families(text):
            if family.name != "http_request_duration_seconds":
                continue
            for sample in family.samples:
                labels = sample.labels
                if labels.get("method") != self.method or labels.get("route") != self.route:
                    continue
                if sample.name.endswith("_bucket"):
                    le = float(labels["le"])
                    buckets[le] = buckets.get(le, 0.0) + sample.value
                elif sample.name.endswith("_count"):
                    count += sample.value
        return Sample(time.monotonic(), count, buckets)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=5) as client:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    self.samples.append(await self._read(client))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)

    def series(self) -> list[dict[str, float]]:
        """Per interval: seconds since start, requests/s, and p50/p99 from the buckets."""
        points: list[dict[str, float]] = []
        if not self.samples:
            return points
        start = self.samples[0].at
        for before, after in zip(self.samples, self.samples[1:], strict=False):
            span = after.at - before.at
            done = after.count - before.count
            if span <= 0 or done <= 0:
                continue
            delta = {
                le: after.buckets.get(le, 0) - before.buckets.get(le, 0) for le in after.buckets
            }
            points.append(
                {
                    "t": round(after.at - start, 2),
                    "rps": round(done / span, 1),
                    "p50_ms": quantile(delta, 0.5) * 1000,
                    "p99_ms": quantile(delta, 0.99) * 1000,
                }
            )
        return points


def quantile(buckets: dict[float, float], q: float) -> float:
    """Prometheus' histogram_quantile over cumulative buckets (linear within a bucket)."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0
    if total <= 0:
        return 0.0
    rank = q * total
    lower, below = 0.0, 0.0
    for le in bounds:
        if buckets[le] >= rank:
            if le == float("inf"):
                return lower
            inside = buckets[le] - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 0)
        lower, below = le, buckets[le]
    return lower
