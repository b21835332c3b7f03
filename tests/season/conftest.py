"""Fixtures of the season tests."""

from __future__ import annotations

import pytest
from season_fixtures import FakeExecutor


@pytest.fixture
def fake_executor():
    return FakeExecutor()
