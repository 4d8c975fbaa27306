"""The Slack adapter: slack-bolt listeners over the answering service, in Socket Mode or HTTP mode."""

from onrecord.bot.slack.server import check, serve

__all__ = ["check", "serve"]
