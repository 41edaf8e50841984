"""Round trips through the real servers: the Knight replay exported to InfluxDB 1.x over HTTP and
read back with InfluxQL, and backfilled into Prometheus with promtool and read back with PromQL.

Each server runs on 127.0.0.1 on a free port with a temporary data directory, and is stopped
afterwards. When a binary is absent the test is skipped with the reason (scripts/setup installs
both, so CI runs them).
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SCENARIOS

KNIGHT = SCENARIOS / "knight_capital_2012.json"
HALT = "2012-08-01T10:15:00Z"
HALT_EPOCH_S = 1343816100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (scripts/setup installs it): server test skipped")
    return path


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"server did not answer {url} within 60 s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_knight(cli: Path, tmp_path: Path, *exports: str) -> tuple[dict[str, Any], int]:
    """Runs the replay with the exports; returns the summary and the number of samples."""
    series = tmp_path / "series.csv"
    completed = subprocess.run(
        [str(cli), "run", str(KNIGHT), "--json", "--timeseries", str(series), *exports],
        capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    with series.open() as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    return json.loads(completed.stdout), rows


@pytest.fixture()
def influxd(tmp_path: Path) -> Iterator[str]:
    """An InfluxDB 1.x server with a database "deploysim"; yields its base URL."""
    binary = require("influxd")
    port, rpc_port = free_port(), free_port()
    data = tmp_path / "influxdb"
    config = tmp_path / "influxdb.conf"
    config.write_text(
        "reporting-disabled = true\n"
        f'bind-address = "127.0.0.1:{rpc_port}"\n'
        f'[meta]\n  dir = "{data}/meta"\n'
        f'[data]\n  dir = "{data}/data"\n  wal-dir = "{data}/wal"\n'
        "  query-log-enabled = false\n"
        "[monitor]\n  store-enabled = false\n"
        f'[http]\n  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n')
    log = tmp_path / "influxd.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "run", "-config", str(config)], stdout=out,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/ping", process, log)
        query(base, "CREATE DATABASE deploysim", post=True)
        yield base
    finally:
        stop(process)


def query(base: str, q: str, post: bool = False) -> Any:
    params = urllib.parse.urlencode({"db": "deploysim", "q": q, "epoch": "s"})
    if post:
        request = urllib.request.Request(f"{base}/query", data=params.encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.load(reply)
    return get_json(f"{base}/query?{params}")


def single_value(answer: Any) -> Any:
    series = answer["results"][0]["series"]
    assert len(series) == 1 and len(series[0]["values"]) == 1, answer
    return series[0]["values"][0][1]


def test_influxdb_round_trip(cli: Path, influxd: str, tmp_path: Path) -> None:
    out, rows = run_knight(cli, tmp_path, "--export", f"influx={influxd}")
    summary = out["summary"]
    tags = "scenario='knight_capital_2012' AND seed='1'"
    # Every sample arrived, none overwrote another.
    assert single_value(query(influxd, f"SELECT count(loss_usd) FROM deploysim WHERE {tags}")) \
        == rows
    # The loss shown at the 10:15 halt is the run's loss.
    loss = single_value(query(
        influxd, f"SELECT last(loss_usd) FROM deploysim WHERE {tags} AND time <= '{HALT}'"))
    assert loss == pytest.approx(summary["loss_usd"], rel=1e-12)
    events = single_value(query(influxd, f"SELECT count(text) FROM deploysim_event WHERE {tags}"))
    assert events == len(out["story"]) + 2  # and the incident's start and end
    fired = query(influxd, "SELECT text FROM deploysim_event WHERE event='alert_fired'")
    assert "unusual_trading" in fired["results"][0]["series"][0]["values"][0][1]


def test_influxdb_error_reply_is_reported_and_the_result_kept(cli: Path, influxd: str) -> None:
    completed = subprocess.run(
        [str(cli), "run", str(KNIGHT), "--json", "--export",
         f"influx={influxd}/write?db=no_such_db"], capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert json.loads(completed.stdout)["summary"]["loss_usd"] > 4e8
    assert "HTTP 404" in completed.stderr and "database not found" in completed.stderr, \
        completed.stderr


def test_prometheus_backfill_and_promql(cli: Path, tmp_path: Path) -> None:
    promtool = require("promtool")
    prometheus = require("prometheus")
    metrics = tmp_path / "knight.om"
    out, rows = run_knight(cli, tmp_path, "--export", f"openmetrics={metrics}")
    data = tmp_path / "prometheus"
    backfill = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics",
                               str(metrics), str(data)], capture_output=True, text=True,
                              check=False)
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    port = free_port()
    log = tmp_path / "prometheus.log"
    with log.open("wb") as f:
        process = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={data}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y"],
            stdout=f, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/-/ready", process, log)

        def promql(expr: str, at: float) -> float:
            params = urllib.parse.urlencode({"query": expr, "time": at})
            answer = get_json(f"{base}/api/v1/query?{params}")
            result = answer["data"]["result"]
            assert len(result) == 1, answer
            return float(result[0]["value"][1])

        selector = 'deploysim_loss_usd{scenario="knight_capital_2012",seed="1"}'
        assert promql(selector, HALT_EPOCH_S) == pytest.approx(out["summary"]["loss_usd"],
                                                               rel=1e-12)
        end = HALT_EPOCH_S + 15 * 60  # the scenario ends at 10:30
        assert promql(f"count_over_time({selector}[6d])", end) == rows
        # The counter has a sample per event only: the last one in the run is the count.
        fired = promql('last_over_time(deploysim_events_total{event="alert_fired",'
                       'subject="unusual_trading"}[6d])', end)
        assert fired == out["summary"]["alerts_fired"]
    finally:
        stop(process)
