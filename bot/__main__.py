"""`python -m onrecord.bot …` is `onrecord …` (how `onrecord serve` runs the feed sync in a child process)."""

import sys

from onrecord.bot.cli import main

sys.exit(main())
