"""The daily quote: one quotable passage per configured channel per local day, exactly once, no repeats."""
