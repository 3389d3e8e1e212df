"""ASGI entry point for production servers: ``uvicorn xietong.asgi:app``."""

from xietong import logging as xlogging
from xietong.app import create_app
from xietong.config import Settings

_settings = Settings.from_env()
xlogging.configure(_settings.log_level, json=_settings.log_json)
app = create_app(_settings)
