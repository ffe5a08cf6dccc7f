"""Login rate limits count failed attempts, per username and per address."""

from __future__ import annotations

import pytest

from parley import errors
from parley.config import Settings
from parley.server.services import Context, Services
from parley.server.services.fanout import NullFanout
from parley.server.services.passwords import Passwords
from parley.server.services.presence import MemoryPresence
from parley.server.storage.db import Database
from parley.server.storage.migrate import upgrade


@pytest.fixture
async def services(tmp_path):
    settings = Settings(data_dir=tmp_path, login_per_username=3, login_per_address=4, login_window=60)
    upgrade(settings.db_url)
    services = Services(
        Context(settings, Database(settings.db_url), NullFanout(), MemoryPresence(), Passwords(1, 8192))
    )
    yield services
    await services.close()


async def test_successful_logins_from_a_shared_address_never_lock_it(services):
    accounts = services.accounts
    for i in range(6):
        await accounts.create_user(f"office{i}", "password-1", None)
    for _ in range(3):
        for i in range(6):
            await accounts.login(f"office{i}", "password-1", "10.0.0.1", None)


async def test_failures_from_one_address_lock_it_for_everyone(services):
    accounts = services.accounts
    await accounts.create_user("victim", "password-1", None)
    for i in range(4):
        with pytest.raises(errors.InvalidCredentials):
            await accounts.login(f"guess{i}", "wrong-password", "10.0.0.2", None)
    with pytest.raises(errors.RateLimited) as info:
        await accounts.login("victim", "password-1", "10.0.0.2", None)
    assert info.value.details["retry_after"] > 0
    await accounts.login("victim", "password-1", "10.0.0.3", None)  # other addresses are unaffected


async def test_failures_for_one_username_lock_that_username_only(services):
    accounts = services.accounts
    await accounts.create_user("target", "password-1", None)
    await accounts.create_user("bystander", "password-1", None)
    for i in range(3):
        with pytest.raises(errors.InvalidCredentials):
            await accounts.login("target", "wrong-password", f"10.1.0.{i}", None)
    with pytest.raises(errors.RateLimited):
        await accounts.login("target", "password-1", "10.1.1.1", None)
    await accounts.login("bystander", "password-1", "10.1.0.0", None)
