"""``parley import-json`` / ``export-json`` with the real prototype file and generated ones."""

from __future__ import annotations

import copy
import json
import time

import pytest
from tests.cli.conftest import PROTOTYPE, assert_clean_failure, counts, snapshot
from tests.cli.prototypes import generated_prototype, real_prototype, shape, write
from tests.support.server import ServerProcess

from parley.client import Client, Message


def test_import_then_export_round_trips_the_prototype_file(parley, tmp_path):
    imported = parley("import-json", str(PROTOTYPE))
    assert imported.returncode == 0, imported.stderr
    assert "users: 4 new" in imported.stdout and "messages: 39 new" in imported.stdout

    exported = parley("export-json", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr
    out = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert shape(out) == shape(real_prototype())
    assert all(u["password"] == "" for u in out["users"])


def test_importing_twice_changes_nothing(parley, data_dir):
    assert parley("import-json", str(PROTOTYPE)).returncode == 0
    first = snapshot(data_dir)
    assert counts(data_dir) == {"users": 4, "sessions": 0, "chats": 4, "members": 8, "events": 4 + 39}

    again = parley("import-json", str(PROTOTYPE))
    assert again.returncode == 0, again.stderr
    assert "users: 0 new, 4 already present" in again.stdout
    assert "messages: 0 new, 39 already present" in again.stdout
    assert snapshot(data_dir) == first


def test_a_file_that_grew_appends_only_the_new_messages(parley, data_dir, tmp_path):
    assert parley("import-json", str(PROTOTYPE)).returncode == 0
    grown = real_prototype()
    grown["chats"][0]["messages"].append({"user": "Rengeka", "text": "one more"})
    result = parley("import-json", str(write(tmp_path / "grown.json", grown)))
    assert result.returncode == 0, result.stderr
    assert "messages: 1 new, 39 already present" in result.stdout
    exported = parley("export-json", "-")
    assert shape(json.loads(exported.stdout)) == shape(grown)


def test_dry_run_reports_but_writes_nothing(parley, data_dir):
    parley("user", "add", "existing", "--password", "correct-horse")
    before = snapshot(data_dir)
    result = parley("import-json", "--dry-run", str(PROTOTYPE))
    assert result.returncode == 0, result.stderr
    assert "would import users: 4 new" in result.stdout and "nothing was written" in result.stdout
    assert snapshot(data_dir) == before


def _drop(doc, path):
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    del target[last]


def _set(doc, path, value):
    *parents, last = path
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value


BROKEN = {
    "missing text": (lambda d: _drop(d, ["chats", 2, "messages", 5, "text"]), 'chats[2].messages[5]: missing "text"'),
    "stranger writes": (
        lambda d: _set(d, ["chats", 3, "messages", 2, "user"], "Stranger"),
        "chats[3].messages[2].user: 'Stranger' is not in this chat",
    ),
    "ID not a number": (lambda d: _set(d, ["users", 1, "ID"], "zero"), "users[1].ID: expected an integer"),
    "one-person chat": (lambda d: _set(d, ["chats", 3, "users"], ["Rengeka"]), "chats[3].users: a direct chat"),
    "unknown member": (lambda d: _set(d, ["chats", 1, "users", 1], "Ghost"), "chats[1].users[1]: unknown user 'Ghost'"),
    "dangling chat ref": (lambda d: _set(d, ["users", 0, "chats", 0], 99), "users[0].chats[0]: no chat has ID 99"),
    "text is a number": (lambda d: _set(d, ["chats", 0, "messages", 8, "text"], 42), "chats[0].messages[8].text"),
    "duplicate chat ID": (lambda d: _set(d, ["chats", 3, "ID"], 0), "chats[3].ID: 0 is also the ID of chats[0]"),
    "no chats key": (lambda d: _drop(d, ["chats"]), '(top level): missing "chats"'),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_leaves_the_database_untouched_and_says_where(parley, data_dir, tmp_path, case):
    parley("user", "add", "existing", "--password", "correct-horse")
    before = snapshot(data_dir)
    document = copy.deepcopy(real_prototype())
    mutate, where = BROKEN[case]
    mutate(document)
    result = parley("import-json", str(write(tmp_path / "broken.json", document)))
    assert_clean_failure(result, "nothing was imported", where)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (PROTOTYPE.read_bytes()[:1500], "invalid JSON"),
        (b'{"users": [], "chats": [}', "line 1 column 25: invalid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[]", "(top level): expected an object, got a list"),
    ],
)
def test_a_truncated_or_garbled_file_is_refused(parley, data_dir, tmp_path, raw, where):
    parley("user", "add", "existing", "--password", "correct-horse")
    before = snapshot(data_dir)
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    assert_clean_failure(parley("import-json", str(path)), where)
    assert snapshot(data_dir) == before


def test_a_missing_file_is_a_clean_error(parley, tmp_path):
    assert_clean_failure(parley("import-json", str(tmp_path / "nope.json")), "cannot read")


def test_usernames_that_break_the_rules_are_reported_and_skipped_with_their_chats(parley, data_dir, tmp_path):
    document = {
        "users": [
            {"ID": 0, "username": "alice", "password": "a", "chats": [0, 1]},
            {"ID": 1, "username": "bob smith", "password": "b", "chats": [0]},
            {"ID": 2, "username": "Carol", "password": "c", "chats": [1, 2]},
            {"ID": 3, "username": "carol", "password": "c2", "chats": [2]},
            {"ID": 4, "username": "x", "password": "x", "chats": []},
            {"ID": 5, "username": "Жора", "password": "z", "chats": []},
        ],
        "chats": [
            {"ID": 0, "users": ["alice", "bob smith"], "messages": [{"user": "bob smith", "text": "hey"}]},
            {"ID": 1, "users": ["alice", "Carol"], "messages": [{"user": "Carol", "text": "kept"}]},
            {"ID": 2, "users": ["Carol", "carol"], "messages": []},
        ],
    }
    result = parley("import-json", str(write(tmp_path / "names.json", document)))
    assert result.returncode == 0, result.stderr
    report = result.stdout
    for where, name in [("users[1]", "bob smith"), ("users[3]", "carol"), ("users[4]", "'x'"), ("users[5]", "Жора")]:
        assert where in report and name in report, report
    assert "chats[0]" in report and "chats[2]" in report and "chats[1]" not in report
    assert "users: 2 new" in report and "4 skipped" in report and "chats: 1 new" in report

    exported = json.loads(parley("export-json", "-").stdout)
    assert [u["username"] for u in exported["users"]] == ["alice", "Carol"]
    assert [(c["users"], c["messages"]) for c in exported["chats"]] == [
        (["alice", "Carol"], [{"user": "Carol", "text": "kept"}])
    ]


async def test_imported_users_log_in_with_their_old_passwords_and_see_their_history(parley, data_dir):
    assert parley("import-json", str(PROTOTYPE)).returncode == 0
    prototype = real_prototype()
    with ServerProcess(data_dir) as server:
        for user in prototype["users"]:
            async with Client(server.url) as client:
                await client.login(user["username"], user["password"])
                chats = await client.chats()
                assert len(chats) == len(user["chats"])
                assert all(chat.unread == 0 for chat in chats)
                for proto_chat in (c for c in prototype["chats"] if c["ID"] in user["chats"]):
                    other = next(u for u in proto_chat["users"] if u != user["username"])
                    chat = await client.open_direct(other)  # the imported chat, not a new one
                    history = [e for e in await client.history(chat.id, limit=100) if isinstance(e, Message)]
                    assert [(m.sender.username, m.text) for m in history if m.sender] == [
                        (m["user"], m["text"]) for m in proto_chat["messages"]
                    ]
                    assert [m.seq for m in history] == list(range(2, len(history) + 2))
        async with Client(server.url) as client:  # and the chat goes on where it stopped
            await client.login("TEST", "LOL")
            chat = await client.open_direct("Rengeka")
            ack = await client.send(chat.id, "back after the migration")
            assert ack.seq == 2 + 3


def test_a_large_generated_file_imports_with_a_progress_bar_and_round_trips(parley, data_dir, tmp_path):
    document = generated_prototype(users=200, messages=5000)
    path = write(tmp_path / "large.json", document)
    started = time.monotonic()
    result = parley("import-json", str(path))
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "importing messages" in result.stderr and "5000/5000" in result.stderr
    assert "users: 200 new" in result.stdout and "messages: 5000 new" in result.stdout
    assert counts(data_dir)["events"] == 5000 + len(document["chats"])
    print(f"imported 200 users / {len(document['chats'])} chats / 5000 messages in {elapsed:.1f} s")

    exported = json.loads(parley("export-json", "-").stdout)
    assert shape(exported) == shape(document)

    before = snapshot(data_dir)
    assert parley("import-json", str(path)).returncode == 0
    assert snapshot(data_dir) == before
