"""The desktop view-model against a real server: what a person would see, without a window."""

from __future__ import annotations

import asyncio
import stat

from tests.conftest import PASSWORD, unique_name

from parley.client import Message


async def signed_in(desktop, server, make_client):
    """A view-model logged in as a fresh user (created through the SDK), plus that user's name."""
    name = unique_name("desk")
    await (await make_client(server, name)).close()
    d = desktop()
    d.vm.login(server.url, name, PASSWORD)
    await d.until(lambda: d.vm.connection == "connected", what="login")
    return d, name


async def test_login_remembers_server_and_token_with_owner_only_permissions(desktop, server, make_client, tmp_path):
    d, name = await signed_in(desktop, server, make_client)
    assert d.vm.user is not None and d.vm.user.username == name
    path = d.store.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = d.store.load()
    assert saved.server_url == server.url and saved.username == name and saved.token

    # A restart resumes the session from the stored token, with no password.
    again = desktop(path.parent)
    assert again.vm.resume() is True
    await again.until(lambda: again.vm.connection == "connected", what="resume")
    assert again.vm.user is not None and again.vm.user.username == name

    again.vm.logout()
    await again.until(lambda: not again.vm.signed_in)
    assert again.store.load().token is None
    assert desktop(path.parent).vm.resume() is False


async def test_register_and_wrong_password(desktop, server):
    d = desktop()
    name = unique_name("reg")
    d.vm.register(server.url, name, PASSWORD, display_name="Reggie")
    await d.until(lambda: d.vm.connection == "connected", what="register")
    assert d.vm.user is not None and d.vm.user.display_name == "Reggie"

    other = desktop()
    other.vm.login(server.url, name, "not-the-password")
    await other.until(lambda: other.vm.error, what="login error")
    assert other.vm.error == "Wrong username or password."
    assert not other.vm.signed_in and other.store.load().token is None


async def test_unreachable_server_is_a_clear_error(desktop):
    d = desktop()
    d.vm.login("http://127.0.0.1:9", "someone", PASSWORD)
    await d.until(lambda: d.vm.error, what="connection error")
    assert "Cannot reach the server" in d.vm.error


async def test_direct_chat_with_unknown_user_says_so(desktop, server, make_client):
    d, _ = await signed_in(desktop, server, make_client)
    d.vm.start_direct("nobody_" + unique_name())
    await d.until(lambda: d.vm.error, what="error")
    assert d.vm.error.startswith("No user called “nobody_")
    assert d.vm.conversation is None and d.vm.chats == {}


async def test_send_receive_receipts_and_typing(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    bob = await make_client(server)
    vm = d.vm
    vm.start_direct(bob.user.username)
    await d.until(lambda: vm.conversation is not None and not vm.conversation.loading, what="chat open")
    chat_id = vm.conversation.chat_id
    assert vm.active_chat.title == bob.user.display_name
    await bob.chat(chat_id)

    row = vm.send("hello bob")
    assert row is not None and row.status == "pending" and vm.conversation.rows[-1] is row
    assert d.store.load().outbox[0]["text"] == "hello bob"
    await d.until(lambda: vm.conversation.find(row.key).status == "sent", what="ack")
    assert d.store.load().outbox == []

    got = await bob.next_event(5)
    while not isinstance(got, Message):
        got = await bob.next_event(5)
    assert got.text == "hello bob" and got.sender.username == name
    mine = vm.conversation.find(row.key)
    assert vm.conversation.status_of(mine) == "sent"
    await bob.mark_read(chat_id, got.seq)
    await d.until(lambda: vm.conversation.status_of(mine) == "read", what="read receipt")

    await bob.typing(chat_id, True)
    await d.until(lambda: "is typing" in vm.typing_text(), what="typing")
    assert vm.typing_text() == f"{bob.user.display_name} is typing…"

    ack = await bob.send(chat_id, "hi there")
    await d.until(lambda: any(r.text == "hi there" for r in vm.conversation.rows), what="reply")
    reply = vm.conversation.rows[-1]
    assert reply.text == "hi there" and not reply.mine and reply.seq == ack.seq
    assert vm.typing_text() == ""  # a message ends its sender's typing notice
    assert [r.text for r in vm.conversation.rows if r.kind == "message"] == ["hello bob", "hi there"]
    assert vm.chats[chat_id].last_text == "hi there" and vm.chats[chat_id].unread == 0
    assert vm.status_line() == "online"


async def test_chat_list_live_updates_and_unread(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    carol = await make_client(server)
    chat = await carol.open_direct(name)
    await carol.send(chat.id, "one")
    await carol.send(chat.id, "two")
    await d.until(lambda: chat.id in d.vm.chats and d.vm.chats[chat.id].unread == 2, what="unread 2")
    row = d.vm.chats[chat.id]
    assert row.last_text == "two" and row.last_sender == carol.user.display_name and row.kind == "direct"

    group = await carol.create_group("Later group", [name])
    await d.until(lambda: group.id in d.vm.chats, what="group appears")
    await carol.send(group.id, "newest")
    await d.until(lambda: d.vm.sorted_chats()[0].id == group.id and d.vm.chats[group.id].unread == 1)

    d.vm.open_chat(chat.id)
    await d.until(lambda: not d.vm.conversation.loading)
    assert d.vm.chats[chat.id].unread == 0
    assert [r.text for r in d.vm.conversation.rows if r.kind == "message"] == ["one", "two"]

    # Opening the chat told the server: another session of the same user sees it read.
    other_session = await make_client(server, name, login=True)
    for _ in range(100):
        d.dispatch.run_pending()
        if next(c for c in await other_session.chats() if c.id == chat.id).unread == 0:
            break
        await asyncio.sleep(0.05)
    assert next(c for c in await other_session.chats() if c.id == chat.id).unread == 0


async def test_history_pages_backwards(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    dave = await make_client(server)
    chat = await dave.open_direct(name)
    for i in range(65):
        await dave.send(chat.id, f"m{i:02d}")
    await d.until(lambda: chat.id in d.vm.chats and d.vm.chats[chat.id].last_text == "m64")
    d.vm.open_chat(chat.id)
    conv = d.vm.conversation
    await d.until(lambda: not conv.loading)
    assert len(conv.rows) == 50 and conv.has_older and conv.rows[-1].text == "m64"
    assert d.vm.load_older() is True
    assert d.vm.load_older() is False  # one page at a time
    await d.until(lambda: "older" in d.topics)
    texts = [r.text for r in conv.rows if r.kind == "message"]
    assert texts == [f"m{i:02d}" for i in range(65)]
    seqs = [r.seq for r in conv.rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert not conv.has_older
    assert d.vm.load_older() is False


async def test_group_create_and_manage_members(desktop, server, make_client):
    d, _ = await signed_in(desktop, server, make_client)
    erin, frank = await make_client(server), await make_client(server)
    d.vm.create_group("Book club", [erin.user.username])
    await d.until(lambda: d.vm.active_chat is not None and not d.vm.conversation.loading)
    chat = d.vm.active_chat
    assert chat.title == "Book club" and chat.kind == "group" and chat.my_role == "owner"
    assert {m.username for m in chat.members} >= {erin.user.username}

    d.vm.add_member(frank.user.username)
    await d.until(lambda: any(m.id == frank.user.id for m in d.vm.active_chat.members), what="frank added")
    await d.until(lambda: any(r.text.endswith(f"added {frank.user.display_name}") for r in d.vm.conversation.rows))

    d.vm.remove_member(erin.user.username)
    await d.until(lambda: all(m.id != erin.user.id for m in d.vm.active_chat.members), what="erin removed")
    assert d.vm.status_line().startswith("2 members")

    d.vm.add_member("ghost_" + unique_name())
    await d.until(lambda: d.vm.error)
    assert d.vm.error.startswith("No user called “ghost_")
    d.vm.clear_error()

    d.vm.leave_chat()
    await d.until(lambda: d.vm.error, what="last owner refusal")
    assert "last owner" in d.vm.error
    d.vm.clear_error()

    d.vm.set_role(frank.user.username, "owner")
    await d.until(lambda: any(m.id == frank.user.id and m.role == "owner" for m in d.vm.active_chat.members))
    d.vm.rename_chat("Book club (fiction)")
    await d.until(lambda: d.vm.active_chat.title == "Book club (fiction)", what="renamed")
    d.vm.leave_chat()
    await d.until(lambda: d.vm.conversation is None and chat.id not in d.vm.chats, what="left")


async def test_offline_queue_is_sent_after_the_server_comes_back(desktop, server_factory, make_client):
    proc = server_factory()
    d, _ = await signed_in(desktop, proc, make_client)
    gina = await make_client(proc)
    d.vm.start_direct(gina.user.username)
    await d.until(lambda: d.vm.conversation is not None and not d.vm.conversation.loading)
    chat_id = d.vm.conversation.chat_id
    await gina.chat(chat_id)

    proc.stop()
    await d.until(lambda: d.vm.connection == "offline", what="offline")
    row = d.vm.send("written while offline")
    d.dispatch.run_pending()
    assert row.status == "pending" and d.store.load().outbox[0]["client_id"] == row.key

    proc.start()
    await d.until(lambda: d.vm.connection == "connected", within=20, what="reconnect")
    await d.until(lambda: d.vm.conversation.find(row.key).status == "sent", within=20, what="queued send")
    assert d.store.load().outbox == []
    texts = []
    while "written while offline" not in texts:
        event = await gina.next_event(20)
        if isinstance(event, Message):
            texts.append(event.text)
    assert texts.count("written while offline") == 1


async def test_outbox_left_by_a_previous_run_is_sent_once_on_resume(desktop, server, make_client):
    d, _ = await signed_in(desktop, server, make_client)
    hank = await make_client(server)
    d.vm.start_direct(hank.user.username)
    await d.until(lambda: d.vm.conversation is not None and not d.vm.conversation.loading)
    chat_id = d.vm.conversation.chat_id
    sent = d.vm.send("before the crash")
    await d.until(lambda: d.vm.conversation.find(sent.key).status == "sent")

    # The app died after sending but before the ack was recorded, and again with a never-sent message.
    settings = d.store.load()
    settings.outbox = [
        {"chat_id": chat_id, "client_id": sent.key, "text": "before the crash"},
        {"chat_id": chat_id, "client_id": "never-sent-0001", "text": "after the crash"},
    ]
    d.store.save(settings)
    again = desktop(d.store.directory)
    assert again.vm.resume()
    await again.until(lambda: again.vm.connection == "connected" and not again.store.load().outbox, what="drained")
    history = await hank.history(chat_id)
    assert [e.text for e in history if isinstance(e, Message)] == ["before the crash", "after the crash"]


async def test_a_refused_message_is_marked_failed_and_can_be_retried(desktop, server, make_client):
    d, _ = await signed_in(desktop, server, make_client)
    ivy = await make_client(server)
    d.vm.start_direct(ivy.user.username)
    await d.until(lambda: d.vm.conversation is not None and not d.vm.conversation.loading)
    row = d.vm.send("x" * 5000)
    await d.until(lambda: d.vm.conversation.find(row.key).status == "failed", what="refusal")
    assert "4000" in row.error and d.store.load().outbox == []
    d.vm.retry(row.key)
    assert row.status == "pending" and d.store.load().outbox[0]["client_id"] == row.key
    await d.until(lambda: row.status == "failed", what="refused again")
    assert d.vm.conversation.status_of(row) == "failed"
    assert [e for e in await ivy.history(d.vm.conversation.chat_id) if e.kind == "message"] == []


async def test_receipts_are_right_when_a_chat_is_opened_after_it_was_read(desktop, server, make_client):
    me = await make_client(server)
    bob = await make_client(server)
    chat = await me.open_direct(bob.user.username)
    acks = [await me.send(chat.id, text) for text in ("one", "two", "three")]
    await bob.mark_read(chat.id, acks[1].seq)  # bob has read "two", not "three", and has not replied

    d = desktop()  # the app starts after all that
    d.vm.login(server.url, me.user.username, PASSWORD)
    await d.until(lambda: d.vm.connection == "connected" and chat.id in d.vm.chats, what="login")
    d.vm.open_chat(chat.id)
    await d.until(lambda: d.vm.conversation is not None and not d.vm.conversation.loading, what="chat open")
    conv = d.vm.conversation
    statuses = {r.text: conv.status_of(r) for r in conv.rows if r.kind == "message"}
    assert statuses == {"one": "read", "two": "read", "three": "sent"}
