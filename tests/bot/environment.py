"""Settings read as the bot reads them, from the process environment: set here for the one call."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from onrecord.bot.settings import Settings, env_name, load_settings


def settings_from(env: Mapping[str, str], env_file: str | None = None) -> Settings:
    """The settings of a process whose environment holds `env` and no other OnRecord variable."""
    with pytest.MonkeyPatch.context() as patch:
        for name, field in Settings.model_fields.items():
            patch.delenv(env_name(name, field), raising=False)
        for name, value in env.items():
            patch.setenv(name, value)
        return load_settings(env_file=env_file)
