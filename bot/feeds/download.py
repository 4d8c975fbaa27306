"""Downloads with a size cap, a content-type check and conditional requests."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp

MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024

# What a server may call each saved format. Plain text and octet-stream are what many hosts send for any
# caption file; HTML (an error or login page) for a caption file is the mistake this catches.
_GENERIC = frozenset({"text/plain", "application/octet-stream", ""})
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    ".json": _GENERIC | {"application/json", "text/json"},
    ".vtt": _GENERIC | {"text/vtt"},
    ".srt": _GENERIC | {"application/x-subrip", "application/srt", "text/srt"},
    ".html": _GENERIC | {"text/html", "application/xhtml+xml"},
    ".txt": _GENERIC,
}


class DownloadError(Exception):
    """A download that was refused or stopped; the message is the reason, in a few words."""


@dataclass(frozen=True, slots=True)
class Validators:
    """The feed's ETag and Last-Modified, sent back so an unchanged feed costs a 304."""

    etag: str | None = None
    last_modified: str | None = None


async def fetch_feed(
    session: aiohttp.ClientSession, url: str, known: Validators, max_bytes: int
) -> tuple[bytes, Validators] | None:
    """The feed's bytes and validators, or None when the server says it has not changed."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    try:
        async with session.get(url, headers=headers) as response:
            if response.status == 304:
                return None
            _check_status(response)
            body = bytearray()
            async for chunk in response.content.iter_chunked(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise DownloadError(f"larger than {_megabytes(max_bytes)}")
            fresh = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            return bytes(body), fresh
    except (aiohttp.ClientError, TimeoutError) as err:
        raise DownloadError(_network_reason(err)) from None


async def download(session: aiohttp.ClientSession, url: str, target: Path, max_bytes: int) -> None:
    """Save ``url`` at ``target`` whole or not at all: streamed to a temporary file beside it, renamed when
    complete. Raises DownloadError for a failed request, a type ``target``'s suffix cannot be, or a body
    over ``max_bytes``."""
    try:
        async with session.get(url) as response:
            _check_status(response)
            if response.content_type not in ACCEPTED_TYPES[target.suffix]:
                raise DownloadError(f"wrong content type {response.content_type} for a {target.suffix} file")
            if (response.content_length or 0) > max_bytes:
                raise DownloadError(f"larger than {_megabytes(max_bytes)}")
            with _Part(target) as part:
                async for chunk in response.content.iter_chunked(_CHUNK):
                    if part.size + len(chunk) > max_bytes:
                        raise DownloadError(f"larger than {_megabytes(max_bytes)}")
                    part.write(chunk)
    except (aiohttp.ClientError, TimeoutError) as err:
        raise DownloadError(_network_reason(err)) from None


class _Part:
    """A file being downloaded: a hidden temporary file beside its target (the index skips hidden files),
    renamed to the target when the block ends normally, removed otherwise."""

    def __init__(self, target: Path) -> None:
        self._target = target
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".download-")
        self._path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self.size += len(chunk)

    def __enter__(self) -> _Part:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self._file.close()
        if kind is None:
            self._path.replace(self._target)
        else:
            self._path.unlink(missing_ok=True)


def _check_status(response: aiohttp.ClientResponse) -> None:
    if response.status != 200:
        raise DownloadError(f"HTTP {response.status} {response.reason or ''}".strip())


def _network_reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return "timed out"
    if isinstance(err, aiohttp.ClientConnectorError):
        errno = err.os_error.errno
        why = os.strerror(errno) if errno and errno > 0 else err.os_error.strerror or str(err.os_error)
        return f"cannot connect to {err.host}:{err.port} ({why})"
    return str(err) or type(err).__name__


def _megabytes(count: int) -> str:
    return f"{count / 1024 / 1024:g} MB"
