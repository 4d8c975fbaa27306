"""`python -m bot …` is `onrecord …` (how `onrecord serve` runs the feed sync in a child process)."""

import sys

from bot.cli import main

sys.exit(main())
