"""The Discord adapter: a discord.py client over the answering service, and its deploy steps."""

from onrecord.bot.discord.server import check, invite_url, serve, sync_commands

__all__ = ["check", "invite_url", "serve", "sync_commands"]
