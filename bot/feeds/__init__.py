"""New episodes' transcripts from podcast feeds (``<podcast:transcript>``), kept in a folder."""

from .download import MAX_BYTES
from .sync import Summary, sync

__all__ = ["MAX_BYTES", "Summary", "sync"]
