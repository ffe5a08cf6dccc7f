"""The desktop view-model against a real server: what a person would see, without a window."""

from __future__ import annotations

import asyncio
import stat

from tests.conftest import PASSWORD, unique_name

from parley.client import Message, MessageDeleted, MessageEdited


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


def message_rows(conv):
    return [(r.text, r.edited, r.deleted) for r in conv.rows if r.kind == "message"]


async def test_edits_and_deletions_by_others_show_live_without_rows_or_unread(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    jo = await make_client(server)
    chat = await jo.open_direct(name)
    first = await jo.send(chat.id, "see you at 5")
    second = await jo.send(chat.id, "bring the map")
    await d.until(lambda: chat.id in d.vm.chats and d.vm.chats[chat.id].unread == 2, what="unread 2")

    # Not open: the preview follows an edit of the last message; a deletion takes it off the unread count.
    await jo.edit(chat.id, second.seq, "bring the big map")
    await d.until(lambda: d.vm.chats[chat.id].last_text == "bring the big map", what="preview edited")
    assert d.vm.chats[chat.id].unread == 2
    await jo.delete(chat.id, first.seq)
    await d.until(lambda: d.vm.chats[chat.id].unread == 1, what="unread follows the deletion")
    assert d.vm.chats[chat.id].last_text == "bring the big map"

    d.vm.open_chat(chat.id)
    conv = d.vm.conversation
    await d.until(lambda: not conv.loading, what="chat open")
    assert message_rows(conv) == [("", False, True), ("bring the big map", True, False)]  # from history

    # Open: changes apply to the rows in place.
    third = await jo.send(chat.id, "at the station")
    await d.until(lambda: conv.newest_seq == third.seq, what="third")
    rows_before = len(conv.rows)
    await jo.edit(chat.id, third.seq, "at the north station")
    await d.until(lambda: conv.by_seq(third.seq).text == "at the north station", what="live edit")
    assert conv.by_seq(third.seq).edited and d.vm.chats[chat.id].last_text == "at the north station"
    await jo.delete(chat.id, third.seq)
    await d.until(lambda: conv.by_seq(third.seq).deleted, what="live delete")
    assert conv.by_seq(third.seq).text == "" and d.vm.chats[chat.id].last_text == "Message deleted"
    assert len(conv.rows) == rows_before and d.vm.chats[chat.id].unread == 0
    assert not any(r.kind in ("edited", "deleted") for r in conv.rows)
    assert d.vm.can_delete(conv.by_seq(second.seq)) is False  # a direct chat: only the sender deletes
    assert d.vm.can_edit(conv.by_seq(second.seq)) is False


async def test_own_edit_and_delete_reach_the_other_side(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    kim = await make_client(server)
    vm = d.vm
    vm.start_direct(kim.user.username)
    await d.until(lambda: vm.conversation is not None and not vm.conversation.loading, what="chat open")
    conv, chat_id = vm.conversation, vm.conversation.chat_id
    await kim.chat(chat_id)
    row = vm.send("teh plan")
    keep = vm.send("second thought")
    await d.until(lambda: row.seq is not None and conv.find(keep.key).seq is not None, what="acks")
    assert vm.can_edit(row) and vm.can_delete(row)

    assert vm.edit_message(row.key, "the plan") is True
    await d.until(lambda: row.text == "the plan" and row.edited, what="edit stored")
    assert vm.delete_message(conv.find(keep.key).seq) is True  # by seq works too
    await d.until(lambda: conv.find(keep.key).deleted, what="delete stored")
    assert vm.chats[chat_id].last_text == "Message deleted"
    assert vm.can_edit(conv.find(keep.key)) is False and vm.can_delete(conv.find(keep.key)) is False

    seen: list[MessageEdited | MessageDeleted] = []
    while len(seen) < 2:
        event = await kim.next_event(10)
        if isinstance(event, MessageEdited | MessageDeleted):
            seen.append(event)
    edited, deleted = seen
    assert (edited.target_seq, edited.new_text, edited.sender.username) == (row.seq, "the plan", name)
    assert deleted.target_seq == conv.find(keep.key).seq
    history = [e for e in await kim.history(chat_id) if isinstance(e, Message)]
    assert [(m.text, m.edited_at is not None, m.deleted) for m in history] == [
        ("the plan", True, False),
        (None, False, True),
    ]
    d.dispatch.run_pending()
    assert message_rows(conv) == [("the plan", True, False), ("", False, True)]  # our own events: no doubles

    # Rows loaded afresh from history show the same.
    vm.close_chat()
    vm.open_chat(chat_id)
    await d.until(lambda: vm.conversation is not None and not vm.conversation.loading, what="reopen")
    assert message_rows(vm.conversation) == [("the plan", True, False), ("", False, True)]


async def test_refused_edits_and_deletes_are_clear_errors(desktop, server, make_client):
    d, name = await signed_in(desktop, server, make_client)
    lu = await make_client(server)
    chat = await lu.open_direct(name)
    theirs = await lu.send(chat.id, "my words, not yours")
    await d.until(lambda: chat.id in d.vm.chats, what="chat listed")
    d.vm.open_chat(chat.id)
    conv = d.vm.conversation
    await d.until(lambda: not conv.loading and conv.by_seq(theirs.seq) is not None, what="chat open")

    assert d.vm.edit_message(theirs.seq, "rewritten") is True  # the server decides
    await d.until(lambda: d.vm.error, what="edit refusal")
    assert d.vm.error == "You can only edit your own messages."
    d.vm.clear_error()
    d.vm.delete_message(theirs.seq)
    await d.until(lambda: d.vm.error, what="delete refusal")
    assert d.vm.error.startswith("You can only delete your own messages")
    d.vm.clear_error()
    assert conv.by_seq(theirs.seq).text == "my words, not yours" and not conv.by_seq(theirs.seq).edited
    assert [e.text for e in await lu.history(chat.id) if isinstance(e, Message)] == ["my words, not yours"]

    mine = d.vm.send("mine")
    await d.until(lambda: mine.seq is not None, what="ack")
    assert d.vm.edit_message(mine.key, "   ") is False and "needs some text" in d.vm.error
    d.vm.clear_error()
    await lu.delete(chat.id, theirs.seq)
    await d.until(lambda: conv.by_seq(theirs.seq).deleted, what="deleted by lu")
    assert d.vm.edit_message(theirs.seq, "too late") is False and d.vm.error == "That message was deleted."
    d.vm.clear_error()
    d.vm.edit_message(mine.key, "x" * 5000)
    await d.until(lambda: d.vm.error, what="too long")
    assert d.vm.error.startswith("Messages are at most") and mine.text == "mine"


async def test_group_admins_delete_others_messages(desktop, server, make_client):
    d, _ = await signed_in(desktop, server, make_client)
    max_ = await make_client(server)
    d.vm.create_group("Moderated", [max_.user.username])
    await d.until(lambda: d.vm.active_chat is not None and not d.vm.conversation.loading, what="group open")
    conv, chat_id = d.vm.conversation, d.vm.conversation.chat_id
    sent = await max_.send(chat_id, "spam spam spam")
    await d.until(lambda: conv.by_seq(sent.seq) is not None, what="spam shown")
    row = conv.by_seq(sent.seq)
    assert d.vm.can_delete(row) and not d.vm.can_edit(row)  # owner: may delete, never edit others'
    d.vm.delete_message(row.key)
    await d.until(lambda: row.deleted, what="deleted by the owner")
    assert [m.deleted for m in await max_.history(chat_id) if isinstance(m, Message)] == [True]
