"""Connector tests federate over 127.0.0.1, so they allow loopback explicitly, as an admin
federating hubs on a private network allows that network."""

from __future__ import annotations

from typing import Any

import pytest

from hub import netpolicy
from hub.config import Settings

LOOPBACK = "127.0.0.0/8,::1/128"


@pytest.fixture
def session_info(session_info: dict[str, Any]) -> dict[str, Any]:
    return session_info | {netpolicy.INFO_KEY: netpolicy.Policy.parse(LOOPBACK)}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"connector_allow_networks": LOOPBACK})
