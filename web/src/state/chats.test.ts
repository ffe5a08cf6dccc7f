import { describe, expect, it } from "vitest";
import type { ChatOut, EventOut } from "../protocol";
import { ChatStore } from "./chats";
import { buildRows, preview } from "./rows";

const me = { id: 1, username: "me", display_name: "Me" };
const bob = { id: 2, username: "bob", display_name: "Bob" };

function summary(over: Partial<ChatOut> = {}): ChatOut {
  return {
    id: 10, kind: "direct", title: "Bob",
    members: [
      { ...me, online: true, last_seen: null, role: "member", last_read_seq: 3 },
      { ...bob, online: false, last_seen: null, role: "member", last_read_seq: 2 },
    ],
    last_seq: 3, last_message: null, unread: 0, last_read_seq: 3,
    last_activity: "2024-05-01T10:00:00Z", my_role: "member", ...over,
  };
}

function msg(seq: number, sender = bob, text = `m${seq}`, client_id: string | null = null): EventOut {
  return { id: 100 + seq, chat_id: 10, seq, kind: "message", sender, text, client_id, data: {}, sent_at: `2024-05-01T10:${String(seq).padStart(2, "0")}:00Z` };
}

function store(over: Partial<ChatOut> = {}) {
  const s = new ChatStore(me);
  s.upsertChat(summary(over));
  return s;
}

describe("applying events", () => {
  it("applies the next seq, drops duplicates and counts unread", () => {
    const s = store();
    expect(s.applyEvent(msg(4))).toBe("applied");
    expect(s.applyEvent(msg(4))).toBe("duplicate");
    expect(s.applyEvent(msg(2))).toBe("duplicate");
    const chat = s.get(10)!;
    expect(chat.cursor).toBe(4);
    expect(chat.timeline.map((i) => i.seq)).toEqual([4]);
    expect(chat.summary.unread).toBe(1);
    expect(chat.summary.last_message?.text).toBe("m4");
  });

  it("buffers events past a gap and applies them when the gap is filled", () => {
    const s = store();
    expect(s.applyEvent(msg(6))).toBe("gap");
    expect(s.applyEvent(msg(5))).toBe("gap");
    expect(s.hasGaps()).toBe(true);
    expect(s.get(10)!.cursor).toBe(3);
    s.applySync({ events: [msg(4), msg(5)], removed: [], has_more: false });
    const chat = s.get(10)!;
    expect(chat.cursor).toBe(6);
    expect(chat.timeline.map((i) => i.seq)).toEqual([4, 5, 6]);
    expect(s.hasGaps()).toBe(false);
  });

  it("reports events of unknown chats so the client can fetch them", () => {
    expect(store().applyEvent({ ...msg(1), chat_id: 99 })).toBe("unknown");
  });

  it("does not count twice what a fresher summary already counted", () => {
    const s = store();
    // Reconnect: the chat list says 2 unread up to seq 5; catch-up then replays 4..6.
    s.mergeChats([summary({ last_seq: 5, unread: 2 })]);
    s.applySync({ events: [msg(4), msg(5), msg(6)], removed: [], has_more: false });
    expect(s.get(10)!.summary.unread).toBe(3);
  });

  it("removes chats the server says we left and chats missing from the list", () => {
    const s = store();
    s.upsertChat(summary({ id: 11, title: "Other" }));
    s.applySync({ events: [], removed: [11], has_more: false });
    expect(s.get(11)).toBeUndefined();
    s.mergeChats([]);
    expect(s.chats.size).toBe(0);
  });

  it("tracks read markers: others' for receipts, ours for unread", () => {
    const s = store();
    const chat = s.get(10)!;
    expect(s.readByOthers(chat, 2)).toBe(true);
    expect(s.readByOthers(chat, 3)).toBe(false);
    s.applyEvent(msg(4));
    s.applyEvent(msg(5));
    expect(chat.summary.unread).toBe(2);
    s.applyEvent({ ...msg(6), kind: "read", sender: me, text: null, data: { user: 1, up_to: 5 } });
    expect(chat.summary.unread).toBe(0);
    s.applyEvent({ ...msg(7), kind: "read", sender: bob, text: null, data: { user: 2, up_to: 3 } });
    expect(s.readByOthers(chat, 3)).toBe(true);
    expect(chat.timeline.map((i) => i.seq)).toEqual([4, 5]); // read markers are not rows
  });

  it("applies membership changes to the summary", () => {
    const s = store({ kind: "group", title: "G", my_role: "owner" });
    const carol = { id: 3, username: "carol", display_name: "Carol" };
    s.applyEvent({ ...msg(4, me), kind: "member_added", text: null, data: { user: carol, role: "member", by: 1 } });
    s.applyEvent({ ...msg(5, me), kind: "renamed", text: null, data: { title: "New", by: 1 } });
    s.applyEvent({ ...msg(6, me), kind: "member_removed", text: null, data: { user: bob, by: 1 } });
    const chat = s.get(10)!;
    expect(chat.summary.title).toBe("New");
    expect(chat.summary.members.map((m) => m.id)).toEqual([1, 3]);
  });
});

function edited(seq: number, target: number, text: string, at = `2024-05-01T11:${String(seq).padStart(2, "0")}:00Z`, by = bob): EventOut {
  return { ...msg(seq, by), kind: "edited", text: null, data: { seq: target, text, edited_at: at } };
}

function deleted(seq: number, target: number, by = bob): EventOut {
  return { ...msg(seq, by), kind: "deleted", text: null, data: { seq: target } };
}

describe("edits and deletions", () => {
  it("edits a loaded message and the preview without a row, unread or lost cursor", () => {
    const s = store();
    s.applyEvent(msg(4));
    s.applyEvent(msg(5));
    expect(s.applyEvent(edited(6, 5, "fixed"))).toBe("applied");
    const chat = s.get(10)!;
    expect(chat.cursor).toBe(6);
    expect(chat.timeline.map((i) => [i.seq, i.text])).toEqual([[4, "m4"], [5, "fixed"]]);
    expect(chat.timeline[1].data.edited_at).toBe("2024-05-01T11:06:00Z");
    expect(chat.timeline[1].key).toBe("s5");
    expect(chat.summary.unread).toBe(2);
    expect(chat.summary.last_message?.text).toBe("fixed");
    expect(chat.summary.last_message?.data.edited_at).toBe("2024-05-01T11:06:00Z");
    expect(s.applyEvent(edited(6, 5, "again"))).toBe("duplicate");
    expect(chat.timeline[1].text).toBe("fixed");
  });

  it("does not move the chat up the list (as on the server)", () => {
    const s = store();
    s.applyEvent(msg(4));
    s.upsertChat(summary({ id: 11, title: "Newer", last_activity: "2024-05-02T10:00:00Z" }));
    expect(s.ordered().map((c) => c.id)).toEqual([11, 10]);
    s.applyEvent({ ...edited(5, 4, "fixed"), sent_at: "2024-05-03T10:00:00Z" });
    s.applyEvent({ ...deleted(6, 4), sent_at: "2024-05-03T10:01:00Z" });
    expect(s.ordered().map((c) => c.id)).toEqual([11, 10]);
  });

  it("edits an older message without touching the preview", () => {
    const s = store();
    s.applyEvent(msg(4));
    s.applyEvent(msg(5));
    s.applyEvent(edited(6, 4, "first, fixed"));
    const chat = s.get(10)!;
    expect(chat.timeline[0].text).toBe("first, fixed");
    expect(chat.summary.last_message?.seq).toBe(5);
    expect(chat.summary.last_message?.text).toBe("m5");
    expect(preview(chat, me.id)).toBe("m5");
  });

  it("marks a deleted message, takes it out of unread and says so in the preview", () => {
    const s = store();
    s.applyEvent(msg(4));
    s.applyEvent(msg(5));
    const chat = s.get(10)!;
    expect(chat.summary.unread).toBe(2);
    s.applyEvent(deleted(6, 5));
    expect(chat.cursor).toBe(6);
    expect(chat.timeline.map((i) => i.seq)).toEqual([4, 5]);
    expect(chat.timeline[1].text).toBe("");
    expect(chat.timeline[1].data.deleted).toBe(true);
    expect(chat.summary.last_message?.text).toBeNull();
    expect(chat.summary.unread).toBe(1);
    expect(preview(chat, me.id)).toBe("Message deleted");
    // Deleting twice, or editing afterwards, changes nothing.
    s.applyEvent(deleted(7, 5));
    s.applyEvent(edited(8, 5, "back?"));
    expect(chat.summary.unread).toBe(1);
    expect(chat.timeline[1].data.deleted).toBe(true);
    expect(chat.timeline[1].text).toBe("");
    // The unread divider skips deleted messages.
    const rows = buildRows(chat, me.id, 5);
    expect(rows.some((r) => r.type === "unread")).toBe(false);
  });

  it("does not uncount what a fresher summary already counted", () => {
    const s = store();
    // The chat list (up to seq 6) already leaves out message 5, deleted at 6; catch-up replays 4..6.
    s.mergeChats([summary({ last_seq: 6, unread: 1 })]);
    s.applySync({ events: [msg(4), msg(5), deleted(6, 5)], removed: [], has_more: false });
    expect(s.get(10)!.summary.unread).toBe(1);
  });

  it("keeps changes to messages not loaded yet for the history that brings them", () => {
    const s = store({ last_seq: 3 });
    const chat = s.get(10)!;
    s.applyEvent(edited(4, 2, "two, edited"));
    s.applyEvent(deleted(5, 1));
    expect(chat.timeline).toEqual([]);
    expect(chat.summary.unread).toBe(0);
    // History fetched before the changes were made (a race) still shows them.
    s.prependHistory(10, [msg(1), msg(2), msg(3)], 50);
    expect(chat.timeline.map((i) => [i.seq, i.text, !!i.data.deleted])).toEqual([
      [1, "", true],
      [2, "two, edited", false],
      [3, "m3", false],
    ]);
    expect(chat.changes).toEqual({});
  });

  it("shows our own edit and deletion at once; the events that follow agree", () => {
    const s = store();
    s.applyEvent(msg(4, me));
    s.applyEvent(msg(5, me));
    const chat = s.get(10)!;
    s.patchMessage(10, 4, { text: "mine, fixed", edited_at: "2024-05-01T11:00:00Z" });
    s.patchMessage(10, 5, { deleted: true });
    expect(chat.timeline.map((i) => i.text)).toEqual(["mine, fixed", ""]);
    expect(preview(chat, me.id)).toBe("Message deleted");
    expect(chat.cursor).toBe(5);
    s.applyEvent(edited(6, 4, "mine, fixed", "2024-05-01T11:00:00Z", me));
    s.applyEvent(deleted(7, 5, me));
    expect(chat.timeline.map((i) => [i.text, !!i.data.deleted])).toEqual([["mine, fixed", false], ["", true]]);
    // An older edit's answer arriving late does not undo a newer one.
    s.patchMessage(10, 4, { text: "stale", edited_at: "2024-05-01T10:59:00Z" });
    expect(chat.timeline[0].text).toBe("mine, fixed");
  });
});

describe("the outbox", () => {
  const out = { chat_id: 10, client_id: "c1", text: "hello", sent_at: "2024-05-01T11:00:00Z" };

  it("keeps a message pending until acked, then until its event arrives", () => {
    const s = store();
    s.addOutgoing(out);
    expect(s.unsent().map((o) => o.client_id)).toEqual(["c1"]);
    s.acked(10, { id: 1, chat_id: 10, seq: 4, sent_at: out.sent_at, client_id: "c1" });
    const chat = s.get(10)!;
    expect(chat.outbox[0].status).toBe("sent");
    expect(s.unsent()).toEqual([]);
    s.applyEvent(msg(4, me, "hello", "c1"));
    expect(chat.outbox).toEqual([]);
    expect(chat.timeline.map((i) => i.text)).toEqual(["hello"]);
    expect(chat.summary.unread).toBe(0);
  });

  it("handles the event arriving before the ack", () => {
    const s = store();
    s.addOutgoing(out);
    s.applyEvent(msg(4, me, "hello", "c1"));
    s.acked(10, { id: 1, chat_id: 10, seq: 4, sent_at: out.sent_at, client_id: "c1" });
    const chat = s.get(10)!;
    expect(chat.outbox).toEqual([]);
    expect(chat.timeline).toHaveLength(1);
  });

  it("marks failures, retries with the same client id, and does not re-add confirmed messages", () => {
    const s = store();
    s.addOutgoing(out);
    s.failed(10, "c1", "too long");
    expect(s.get(10)!.outbox[0].status).toBe("failed");
    s.retrying(10, "c1");
    expect(s.unsent()[0].client_id).toBe("c1");
    s.applyEvent(msg(4, me, "hello", "c1"));
    s.addOutgoing(out); // restored from storage after a reload
    expect(s.get(10)!.outbox).toEqual([]);
  });

  it("orders chats by activity, unsent messages first", () => {
    const s = store();
    s.upsertChat(summary({ id: 11, title: "Newer", last_activity: "2024-05-02T10:00:00Z" }));
    expect(s.ordered().map((c) => c.id)).toEqual([11, 10]);
    s.addOutgoing({ ...out, sent_at: "2024-05-03T10:00:00Z" });
    expect(s.ordered().map((c) => c.id)).toEqual([10, 11]);
  });
});

describe("rows", () => {
  it("groups by sender and day and places the unread divider", () => {
    const s = store();
    s.applyEvent(msg(4));
    s.applyEvent(msg(5));
    s.applyEvent(msg(6, me));
    s.applyEvent({ ...msg(7), sent_at: "2024-05-02T09:00:00Z" });
    const rows = buildRows(s.get(10)!, me.id, 5);
    expect(rows.map((r) => r.type)).toEqual(["day", "message", "unread", "message", "message", "day", "message"]);
    const messages = rows.filter((r) => r.type === "message") as Extract<(typeof rows)[number], { type: "message" }>[];
    expect(messages.map((m) => [m.first, m.last, m.mine])).toEqual([
      [true, true, false],
      [true, true, false],
      [true, true, true],
      [true, true, false],
    ]);
  });
});
