"""`REDIS_URL` to a redis-py client: one server, a Redis Cluster, or a master found through Sentinel.

- ``redis://``, ``rediss://``, ``unix://``: one server (redis-py's own URL syntax).
- ``redis+cluster://[[user]:password@]host:port[,host:port…]`` (``rediss+cluster://`` for TLS): a Redis
  Cluster, found from any of the nodes listed (redis-py's `RedisCluster` follows slots and redirects).
- ``redis+sentinel://[[user]:password@]host:port[,host:port…]/master-name[/db]``: the master that the
  listed sentinels name `master-name` (redis-py's `Sentinel`; after a failover it finds the new one).
  The password is the master's; the sentinels are asked without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast
from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

__all__ = ["SCHEMES", "RedisTarget", "close", "connect", "parse_redis_url"]

Kind = Literal["server", "cluster", "sentinel"]
_KINDS: dict[str, Kind] = {  # by URL scheme
    "redis": "server",
    "rediss": "server",
    "unix": "server",
    "redis+cluster": "cluster",
    "rediss+cluster": "cluster",
    "redis+sentinel": "sentinel",
}
SCHEMES = tuple(_KINDS)


@dataclass(frozen=True, slots=True)
class RedisTarget:
    kind: Kind
    url: str
    nodes: tuple[tuple[str, int], ...] = ()
    master: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse_redis_url(url: str) -> RedisTarget:
    """The target `url` names, or ValueError saying in one line what is wrong (never echoing the URL,
    which may carry a password)."""
    scheme, sep, rest = url.partition("://")
    kind = _KINDS.get(scheme.lower())
    if not sep or kind is None or not rest:
        raise ValueError(f"the scheme is none of {', '.join(s + '://' for s in SCHEMES)}")
    if kind == "server":
        return RedisTarget("server", url)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValueError(f"{scheme}:// takes no query or fragment")
    hosts = parts.netloc.rpartition("@")[2]
    nodes = tuple(_node(scheme, node) for node in hosts.split(","))
    path = [p for p in parts.path.split("/") if p]
    master, db = "", 0
    if kind == "cluster" and path:
        raise ValueError(f"{scheme}:// takes no path (a cluster has one database)")
    if kind == "sentinel":
        if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
            raise ValueError(
                "redis+sentinel:// needs the master's name, e.g. redis+sentinel://host:26379/mymaster[/db]"
            )
        master, db = unquote(path[0]), int(path[1]) if len(path) == 2 else 0
    return RedisTarget(
        kind,
        url,
        nodes,
        master,
        db,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=scheme.lower().startswith("rediss"),
    )


def _node(scheme: str, text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{scheme}:// needs host:port[,host:port…] (every node with its port)")
    return host.strip("[]"), int(port)


def connect(target: RedisTarget, **options: Any) -> Redis:
    """A client for `target`; `options` are redis-py connection options (timeouts, retry, decoding).

    A cluster client is typed as `Redis`: the commands the state classes use (GET, SET, EVAL, pipelines
    without transactions, INFO, …) take the same arguments on both."""
    auth: dict[str, Any] = {"username": target.username, "password": target.password}
    if target.kind == "cluster":
        startup = [ClusterNode(host, port) for host, port in target.nodes]
        return cast(Redis, RedisCluster(startup_nodes=startup, ssl=target.tls, **auth, **options))
    if target.kind == "sentinel":
        sentinel = Sentinel(list(target.nodes), sentinel_kwargs=_sentinel_options(options))  # type: ignore[no-untyped-call]
        master: Redis = sentinel.master_for(target.master, db=target.db, **auth, **options)
        return master
    return Redis.from_url(target.url, **options)


async def close(client: Redis) -> None:
    """Close `client`, and the connections to the sentinels it found its master through."""
    await client.aclose()
    pool = getattr(client, "connection_pool", None)  # (a cluster client has a pool per node instead)
    if isinstance(pool, SentinelConnectionPool):
        for sentinel in pool.sentinel_manager.sentinels:
            await sentinel.aclose()


def _sentinel_options(options: dict[str, Any]) -> dict[str, Any]:
    """The timeouts for asking the sentinels too: a dead sentinel must not hang a call."""
    keys = ("socket_timeout", "socket_connect_timeout", "retry")
    return {key: options[key] for key in keys if key in options}
