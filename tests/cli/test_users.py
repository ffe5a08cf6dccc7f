"""``parley user add|list|passwd|disable`` against a real SQLite file, and what a server then allows."""

from __future__ import annotations

import httpx
import pytest
from tests.cli.conftest import assert_clean_failure, counts
from tests.support.server import ServerProcess

from parley.client import Client, ParleyError

PASSWORD = "correct-horse-battery"


def test_add_then_list_shows_the_user(parley):
    added = parley("user", "add", "alice", "--display-name", "Alice Liddell", "--password", PASSWORD)
    assert added.returncode == 0, added.stderr
    assert "created alice" in added.stdout
    parley("user", "add", "bob", "--password", PASSWORD)

    listed = parley("user", "list")
    assert listed.returncode == 0, listed.stderr
    assert "2 users" in listed.stdout
    assert "Alice Liddell" in listed.stdout
    lines = [line for line in listed.stdout.splitlines() if "alice" in line or "bob" in line]
    assert len(lines) == 2 and "active" in lines[0]


def test_add_prompts_for_the_password_twice(parley):
    added = parley("user", "add", "carol", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.returncode == 0, added.stderr
    assert "created carol" in added.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["user", "add", "a!", "--password", PASSWORD], "usernames are 3-32 characters"),
        (["user", "add", "ab", "--password", PASSWORD], "usernames are 3-32 characters"),
        (["user", "add", "abc\n", "--password", PASSWORD], "usernames are 3-32 characters"),
        (["user", "add", "dave", "--password", "short"], "at least 8 characters"),
        (["user", "passwd", "nobody", "--password", PASSWORD], "no user 'nobody'"),
        (["user", "disable", "nobody"], "no user 'nobody'"),
    ],
)
def test_bad_requests_fail_with_a_red_line_and_no_traceback(parley, data_dir, args, needle):
    parley("user", "add", "existing", "--password", PASSWORD)
    before = counts(data_dir)
    assert_clean_failure(parley(*args), needle)
    assert counts(data_dir) == before


def test_a_taken_username_is_refused_case_insensitively(parley, data_dir):
    assert parley("user", "add", "Erin", "--password", PASSWORD).returncode == 0
    assert_clean_failure(parley("user", "add", "erin", "--password", PASSWORD), "taken")
    assert counts(data_dir)["users"] == 1


async def test_passwd_ends_sessions_and_disable_locks_out(parley, data_dir):
    assert parley("user", "add", "frank", "--password", PASSWORD).returncode == 0
    with ServerProcess(data_dir) as server:
        async with Client(server.url) as client:
            await client.login("frank", PASSWORD)
            old_token = client.token

        changed = parley("user", "passwd", "frank", "--password", "a-brand-new-secret")
        assert changed.returncode == 0, changed.stderr
        assert "sessions have ended" in changed.stdout
        async with httpx.AsyncClient() as http:
            me = await http.get(server.url + "/api/me", headers={"authorization": f"Bearer {old_token}"})
        assert me.status_code == 401
        with pytest.raises(ParleyError) as wrong:
            await Client(server.url).login("frank", PASSWORD)
        assert wrong.value.code == "invalid_credentials"
        async with Client(server.url) as client:
            await client.login("frank", "a-brand-new-secret")

        assert parley("user", "disable", "frank").returncode == 0
        assert "disabled" in parley("user", "list").stdout
        with pytest.raises(ParleyError) as disabled:
            await Client(server.url).login("frank", "a-brand-new-secret")
        assert disabled.value.code == "account_disabled"

        enabled = parley("user", "disable", "frank", "--enable")
        assert enabled.returncode == 0 and "enabled frank" in enabled.stdout
        async with Client(server.url) as client:
            await client.login("frank", "a-brand-new-secret")


def test_passwd_refuses_a_weak_password(parley):
    parley("user", "add", "gina", "--password", PASSWORD)
    assert_clean_failure(parley("user", "passwd", "gina", "--password", "1234"), "at least 8 characters")


def test_the_console_script_is_installed(data_dir):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from tests.cli.conftest import cli_env

    script = shutil.which("parley", path=str(Path(sys.executable).parent))
    assert script, "the parley console script is not installed next to this Python"
    result = subprocess.run(
        [script, "user", "list", "--data-dir", str(data_dir)], capture_output=True, text=True, env=cli_env()
    )
    assert result.returncode == 0, result.stderr
    assert "0 users" in result.stdout
