"""`onrecord serve slack` processes sharing a real three-master Redis Cluster on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from onrecord.bot.state import RateDecision, open_state
from onrecord.bot.state.link import RedisLink
from onrecord.bot.state.unreachable import RedisUnavailableError
from tests.bot.slack_bot import free_port
from tests.bot.test_slack_processes import QUESTIONS, replicas
from tests.conftest import Poll
from tests.standins.slack import SlackStandIn
from tests.standins.slack_payloads import mention_event


class Cluster:
    """Three redis-server processes made one cluster (no replicas) by `redis-cli --cluster create`."""

    def __init__(self, workdir: Path) -> None:
        self.ports = [_node_port() for _ in range(3)]
        self.procs = [self._server(workdir, port) for port in self.ports]
        self.url = "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    @staticmethod
    def _server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
        node = workdir / str(port)
        node.mkdir()
        return subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", str(node / "nodes.conf"), "--cluster-node-timeout", "1000",
             "--save", "", "--appendonly", "no", "--dir", str(node), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def cli(self, port: int, *args: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args], capture_output=True, text=True
        )
        return done.stdout

    def wait_for(self, condition: str, ports: list[int]) -> None:
        """Until every node in `ports` says `condition` in CLUSTER INFO (the limit only ends a wait that
        would never end)."""
        deadline = time.monotonic() + 60
        while not all(condition in self.cli(port, "cluster", "info") for port in ports):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster never reached {condition}")
            time.sleep(0.05)

    def create(self) -> None:
        deadline = time.monotonic() + 30
        while not all(self.cli(port, "ping").strip() == "PONG" for port in self.ports):
            if time.monotonic() > deadline or any(proc.poll() is not None for proc in self.procs):
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        nodes = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            ["redis-cli", "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            check=True,
        )
        self.wait_for("cluster_state:ok", self.ports)

    def kill(self, node: int) -> None:
        self.procs[node].kill()
        self.procs[node].wait()

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=10)


def _node_port() -> int:
    """A free port whose cluster bus port (10000 above it) is free too."""
    while True:
        port = free_port()
        if port + 10000 <= 65535:
            with socket.socket() as bus:
                try:
                    bus.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """The cluster, shared by this module's tests (the last one kills a master)."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.fail("redis-server and redis-cli are not on PATH (.ci/run installs them)")
    workdir = Path(tempfile.mkdtemp(prefix="onrecord-cluster-"))
    made = Cluster(workdir)
    try:
        made.create()
        yield made
    finally:
        made.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _answered(slack: SlackStandIn) -> Counter[str]:
    return Counter(c.args["thread_ts"] for c in slack.calls_to("chat.postMessage"))


async def test_three_processes_on_a_cluster_answer_each_of_100_events_once(
    slack: SlackStandIn,
    seed_index_dir: Path,
    cluster: Cluster,
    tmp_path: Path,
    until: Poll,
) -> None:
    events = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"U{i:04d}") for i in range(100)]
    async with replicas(slack, seed_index_dir, cluster.url, tmp_path) as bots:
        statuses = await asyncio.gather(*(bots.deliver(r, e) for e in events for r in range(3)))
        assert set(statuses) == {200}
        await until(bots.settled, seconds=120)
        assert [await bots.redis(r) for r in range(3)] == ["ok"] * 3
    # Claims landed on every master: the cluster really shared the work.
    assert all(int(cluster.cli(port, "dbsize")) > 0 for port in cluster.ports)
    assert _answered(slack) == Counter(e["event"]["ts"] for e in events)


async def test_every_script_writes_its_keys_on_the_cluster(cluster: Cluster, namespace: str) -> None:
    """Each Lua script's keys share a slot (else the cluster refuses it with CROSSSLOT and the state
    class quietly falls back to this process): what they wrote is read back from the cluster itself."""
    day = dt.date(2026, 12, 2)
    # (A generous budget for quick calls: a busy machine must not make them fall back to this process.)
    async with open_state(cluster.url, namespace=namespace, rate_limit=1, timeout=10) as state:
        assert await state.claims.claim("Ev1") and await state.claims.extend("Ev1")
        await state.claims.done("Ev1")
        assert await state.daily.claim("slack", "C1", day) == "mine"
        assert await state.daily.keep("slack", "C1", day)
        await state.daily.posted("slack", "C1", day, "quote-1")
        assert await state.limiter.check("U1") == RateDecision(allowed=True)
        assert await state.limiter.check("U1") == RateDecision(allowed=False, notify=True)
        assert await state.votes.vote("A1", "U1", "up")
        await state.answers.put("A1", "page", ttl=60)
        assert await state.answers.get("A1", max_age=30) == "page"
        assert state.redis_status == "ok"
    check = RedisCluster.from_url(f"redis://127.0.0.1:{cluster.ports[0]}", decode_responses=True)
    async with check:
        assert await check.get(f"{namespace}:claim:Ev1") is not None
        assert await check.get(f"{namespace}:daily:{{slack:C1}}:2026-12-02") == "posted:quote-1"
        assert await check.smembers(f"{namespace}:daily-seen:{{slack:C1}}") == {"quote-1"}
        assert await check.zcard(f"{namespace}:rate:{{U1}}:hits") == 1
        assert await check.get(f"{namespace}:rate:{{U1}}:notified") == "1"
        assert await check.hgetall(f"{namespace}:feedback:{{A1}}:votes") == {"answer:U1": "up"}
        assert await check.hget(f"{namespace}:answer:A1", "payload") == "page"
        assert await check.dbsize() >= 8  # (every master's keys)


async def test_a_command_the_cluster_client_refuses_is_a_redis_failure_not_a_crash(cluster: Cluster) -> None:
    link = RedisLink(cluster.url, timeout=10)  # (a busy machine must not make the ping fall back)
    try:
        assert await link.ping()  # (the client learns the slots)
        # Keys on two masters (the daily ledger's, before they shared a hash tag): the client refuses.
        keys = ("onrecord:daily:slack:C1:2026", "onrecord:daily-seen:slack:C1")
        with pytest.raises(RedisUnavailableError):
            await link.run(lambda client: client.eval("return 1", 2, *keys))
        assert await link.ping()
    finally:
        await link.aclose()


async def test_a_master_killed_the_processes_go_on_answering_each_on_its_own(
    slack: SlackStandIn,
    seed_index_dir: Path,
    cluster: Cluster,
    tmp_path: Path,
    until: Poll,
) -> None:
    """What a lost master costs (see README, Running in production): its keys, and shared state while it
    is gone, so an event delivered to every process is answered by each."""
    before = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"V{i:04d}") for i in range(10)]
    after = [mention_event(QUESTIONS[i % len(QUESTIONS)], user=f"W{i:04d}") for i in range(10)]
    async with replicas(slack, seed_index_dir, cluster.url, tmp_path) as bots:

        async def redis_is(status: str) -> bool:
            return [await bots.redis(r) for r in range(3)] == [status] * 3

        await asyncio.gather(*(bots.deliver(r, e) for e in before for r in range(3)))
        await until(bots.settled, seconds=60)
        cluster.kill(0)
        await until(lambda: redis_is("degraded"), seconds=30)
        statuses = await asyncio.gather(*(bots.deliver(r, e) for e in after for r in range(3)))
        assert set(statuses) == {200}
        await until(bots.settled, seconds=120)
        assert await redis_is("degraded")
    answered = _answered(slack)
    assert all(answered[e["event"]["ts"]] == 1 for e in before)
    assert all(answered[e["event"]["ts"]] == 3 for e in after)  # every process answered it
