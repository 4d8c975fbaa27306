"""Web links from transcripts and their sidecars, checked and made safe to put in chat markup."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["web_url"]

# A host name (letters of any script, digits, "-" and "_" in dot-separated labels) or an IPv6 literal,
# then an optional port. No user name or password: `https://youtube.com@evil.example` hides its host.
_NETLOC = re.compile(r"(?:[\w-]+(?:\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_WHITE_SPACE = re.compile(r"\s")
# Left as they are in the path, query and fragment; everything else (spaces, ( ) [ ] < > | " ` \ ^ { }
# and non-ASCII) is percent-encoded, as a browser sends it anyway. None of these ends a Markdown link
# target or Slack's `<url|label>`.
_SAFE = "/?:@!$&'*+,;=%~"


def web_url(text: str | None) -> str | None:
    """``text`` as an http(s) link that cannot break out of the markup around it, or None if it is not one.

    A link has the scheme http or https, a host, and no white space or invisible characters anywhere.
    """
    if not text or not text.isprintable() or _WHITE_SPACE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not _NETLOC.fullmatch(parts.netloc):
        return None
    path, query, fragment = (quote(part, safe=_SAFE) for part in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, fragment))
