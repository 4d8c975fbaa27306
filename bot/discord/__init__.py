"""The Discord adapter: a discord.py client over the answering service, and its deploy steps."""

from bot.discord.server import invite_url, serve, sync_commands

__all__ = ["invite_url", "serve", "sync_commands"]
