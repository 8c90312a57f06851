"""A small HTTP/1.1 load generator on asyncio: no dependency outside Python.

Each request opens a loopback connection, sends `Connection: close` (gunicorn's
sync workers close after every response anyway) and reads to the end.
Latency is measured with time.perf_counter from the moment the request was
due to start (paced runs) or was sent (closed-loop runs), so a slow server
cannot hide its queue.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


def build_request(
    method: str, path: str, *, port: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def send(port: int, raw: bytes, timeout: float = 60.0) -> tuple[int, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    head, _, body = data.partition(b"\r\n\r\n")
    return status, body


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    errors: int = 0
    first_error: str = ""

    def failed(self, exc: BaseException) -> None:
        self.errors += 1
        self.first_error = self.first_error or repr(exc)

    def answered(
        self, status: int, body: bytes, latency: float, ok: Callable[[int, bytes], bool] | None
    ) -> None:
        self.latencies.append(latency)
        self.statuses[status] += 1
        if ok and not ok(status, body):
            self.errors += 1
            self.first_error = self.first_error or body[:300].decode(errors="replace")

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000, 1)

        return {
            "requests": len(lat),
            "seconds": round(self.seconds, 2),
            "throughput_per_s": round(len(lat) / self.seconds, 1) if self.seconds else None,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": pct(100),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": self.errors,
            "first_error": self.first_error[:300],
        }


def closed_loop(
    port: int,
    make: Callable[[int], bytes | None],
    *,
    concurrency: int,
    seconds: float,
    ok: Callable[[int, bytes], bool] | None = None,
) -> Run:
    """`concurrency` clients, each sending its next request as soon as the
    last one is answered, for `seconds` (or until `make` returns None)."""
    run = Run()
    counter = iter(range(10**9))

    async def client() -> None:
        while time.perf_counter() < deadline:
            raw = make(next(counter))
            if raw is None:
                return
            started = time.perf_counter()
            try:
                status, body = await send(port, raw)
            except (TimeoutError, OSError) as exc:
                run.failed(exc)
                continue
            run.answered(status, body, time.perf_counter() - started, ok)

    async def main() -> None:
        await asyncio.gather(*(client() for _ in range(concurrency)))

    started = time.perf_counter()
    deadline = started + seconds
    asyncio.run(main())
    run.seconds = time.perf_counter() - started
    return run


def paced(
    port: int,
    make: Callable[[int], bytes | None],
    *,
    rate: float,
    seconds: float,
    ok: Callable[[int, bytes], bool] | None = None,
) -> Run:
    """Open loop: a request starts every 1/rate seconds whether or not the
    earlier ones have been answered; latency counts from when it was due."""
    run = Run()

    async def one(i: int, due: float) -> None:
        raw = make(i)
        if raw is None:
            return
        try:
            status, body = await send(port, raw)
        except (TimeoutError, OSError) as exc:
            run.failed(exc)
            return
        run.answered(status, body, time.perf_counter() - due, ok)

    async def main() -> None:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)

    started = time.perf_counter()
    asyncio.run(main())
    run.seconds = time.perf_counter() - started
    return run
