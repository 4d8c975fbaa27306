"""A TCP proxy in front of a redis-server's unix socket that holds some of its replies: a slow Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path


@contextlib.asynccontextmanager
async def slow_redis(socket: Path, *, every: int = 4, hold: float = 0.7) -> AsyncIterator[str]:
    """A ``redis://`` URL through which every `every`-th reply on each connection arrives `hold` seconds
    late (and the replies after it behind it, as on a real connection)."""
    pipes: set[asyncio.Task[None]] = set()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: bool) -> None:
        replies = 0
        try:
            while chunk := await reader.read(65536):
                replies += 1
                if delay and replies % every == 0:
                    await asyncio.sleep(hold)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def connected(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_unix_connection(str(socket))
        except OSError:
            client_writer.close()  # Redis is down: so is the proxy's connection
            return
        for task in (
            asyncio.create_task(pipe(client_reader, server_writer, delay=False)),
            asyncio.create_task(pipe(server_reader, client_writer, delay=True)),
        ):
            pipes.add(task)
            task.add_done_callback(pipes.discard)

    server = await asyncio.start_server(connected, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.close()
        for task in list(pipes):
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        await server.wait_closed()
