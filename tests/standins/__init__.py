"""Local stand-ins of external services, for tests."""
