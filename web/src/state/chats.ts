// The client's chat state: cursors, timelines, the outbox and unread counts, kept consistent with the
// server's gapless per-chat sequence. Pure logic (no DOM, no socket) so Vitest can exercise it directly.

import type { AckOut, ChatOut, EventOut, MemberOut, PresenceOut, SyncOut, TypingOut, UserRef } from "../protocol";

export type Status = "pending" | "sent" | "failed";

/** One row of a conversation: a confirmed chat event or an outgoing message not confirmed yet. */
export interface Item {
  key: string;
  seq: number | null;
  kind: string;
  sender: UserRef | null;
  text: string;
  client_id: string | null;
  data: Record<string, any>;
  sent_at: string;
  status: Status;
  error?: string;
}

export interface ChatState {
  id: number;
  summary: ChatOut;
  /** The last seq applied: events at or below it are never applied again. */
  cursor: number;
  /** summary.unread counts messages up to this seq; later ones are counted here. */
  unreadAsOf: number;
  /** Confirmed events (no read markers), ascending seq, covering the range [from, cursor]. */
  timeline: Item[];
  from: number;
  /** Whether older history exists before `from`. */
  hasOlder: boolean;
  /** The newest page of history has been fetched. */
  loaded: boolean;
  outbox: Item[];
  /** Other members' read positions (user id → seq). */
  readBy: Record<number, number>;
  typing: Record<number, { name: string; until: number }>;
  /** Live events beyond a gap, waiting for catch-up to fill it. */
  buffered: EventOut[];
  /** Edits and deletions of messages older than the loaded range, applied when history brings them. */
  changes: Record<number, Change>;
}

/** What an `edited` or `deleted` event (or the ack of our own edit) does to a message. */
export type Change = { deleted: true } | { deleted?: false; text: string; edited_at: string };

/** Whether a message item (or event) was deleted: its text is gone. */
export function isDeleted(m: { kind: string; text: string | null; data: Record<string, any> }): boolean {
  return m.kind === "message" && (m.data?.deleted === true || m.text === null);
}

/** A message's text and data after a change; a deletion is final and an older edit never wins. */
function changed<T extends { text: string | null; data: Record<string, any> }>(m: T, change: Change, deletedText: T["text"]): T {
  if (m.data?.deleted) return m;
  if (change.deleted) return { ...m, text: deletedText, data: { ...m.data, deleted: true } };
  const before = m.data?.edited_at;
  if (typeof before === "string" && before > change.edited_at) return m;
  return { ...m, text: change.text, data: { ...m.data, edited_at: change.edited_at } };
}

export type Applied = "applied" | "duplicate" | "gap" | "unknown";

/** An outgoing message as stored in the outbox (persisted so a reload keeps unsent messages). */
export interface Outgoing {
  chat_id: number;
  client_id: string;
  text: string;
  sent_at: string;
}

export function eventItem(ev: EventOut): Item {
  return {
    key: `s${ev.seq}`,
    seq: ev.seq,
    kind: ev.kind,
    sender: ev.sender,
    text: ev.text ?? "",
    client_id: ev.client_id,
    data: ev.data ?? {},
    sent_at: ev.sent_at,
    status: "sent",
  };
}

function newChat(summary: ChatOut): ChatState {
  const chat: ChatState = {
    id: summary.id,
    summary: { ...summary, members: summary.members.map((m) => ({ ...m })) },
    cursor: summary.last_seq,
    unreadAsOf: summary.last_seq,
    timeline: [],
    from: summary.last_seq + 1,
    hasOlder: summary.last_seq > 0,
    loaded: false,
    outbox: [],
    readBy: {},
    typing: {},
    buffered: [],
    changes: {},
  };
  return chat;
}

function mergeChange(prev: Change | undefined, next: Change): Change {
  if (!prev || next.deleted) return next;
  if (prev.deleted) return prev;
  return next.edited_at >= prev.edited_at ? next : prev;
}

function readPositions(chat: ChatState, members: MemberOut[], me: number): void {
  for (const m of members) {
    if (m.id !== me && typeof m.last_read_seq === "number") {
      chat.readBy[m.id] = Math.max(chat.readBy[m.id] ?? 0, m.last_read_seq);
    }
  }
}

export class ChatStore {
  chats = new Map<number, ChatState>();
  private listeners = new Set<() => void>();
  version = 0;

  constructor(public me: UserRef) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    this.version++;
    for (const fn of this.listeners) fn();
  }

  get(chatId: number): ChatState | undefined {
    return this.chats.get(chatId);
  }

  /** Chats by most recent activity (a chat with unsent messages counts as active now). */
  ordered(): ChatState[] {
    const activity = (c: ChatState) => {
      const last = c.outbox.length ? c.outbox[c.outbox.length - 1].sent_at : c.summary.last_activity;
      return Date.parse(last) || 0;
    };
    return [...this.chats.values()].sort((a, b) => activity(b) - activity(a) || b.id - a.id);
  }

  cursors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.chats.values()) out[String(c.id)] = c.cursor;
    return out;
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.chats.values()) n += c.summary.unread;
    return n;
  }

  /** A summary from the server: a chat we were just added to, or fresher metadata for a known one. */
  upsertChat(summary: ChatOut): ChatState {
    let chat = this.chats.get(summary.id);
    if (!chat) {
      chat = newChat(summary);
      this.chats.set(summary.id, chat);
    } else {
      const s = chat.summary;
      s.title = summary.title;
      s.kind = summary.kind;
      s.members = summary.members.map((m) => ({ ...m }));
      s.my_role = summary.my_role;
      if (summary.last_seq >= chat.cursor) {
        // The server's counts are at least as new as ours; events after them are counted as they apply.
        s.unread = summary.unread;
        s.last_read_seq = Math.max(s.last_read_seq, summary.last_read_seq);
        chat.unreadAsOf = summary.last_seq;
        if (summary.last_seq === chat.cursor) {
          s.last_message = summary.last_message;
          s.last_activity = summary.last_activity;
          s.last_seq = summary.last_seq;
        }
      }
    }
    readPositions(chat, summary.members, this.me.id);
    this.changed();
    return chat;
  }

  /** The full chat list after (re)connecting: chats missing from it were left while we were away. */
  mergeChats(list: ChatOut[]): void {
    const seen = new Set<number>();
    for (const summary of list) {
      seen.add(summary.id);
      this.upsertChat(summary);
    }
    for (const id of [...this.chats.keys()]) if (!seen.has(id)) this.chats.delete(id);
    this.changed();
  }

  removeChat(chatId: number): void {
    this.chats.delete(chatId);
    this.changed();
  }

  /** A live or caught-up event. Duplicates are dropped; an event past a gap is buffered. */
  applyEvent(ev: EventOut, notify = true): Applied {
    const chat = this.chats.get(ev.chat_id);
    if (!chat) return "unknown";
    if (ev.seq <= chat.cursor) return "duplicate";
    if (ev.seq > chat.cursor + 1) {
      if (!chat.buffered.some((b) => b.seq === ev.seq)) {
        chat.buffered.push(ev);
        chat.buffered.sort((a, b) => a.seq - b.seq);
      }
      return "gap";
    }
    this.apply(chat, ev);
    // Events buffered past the gap may now follow on.
    while (chat.buffered.length && chat.buffered[0].seq <= chat.cursor + 1) {
      const next = chat.buffered.shift()!;
      if (next.seq === chat.cursor + 1) this.apply(chat, next);
    }
    if (notify) this.changed();
    return "applied";
  }

  /** A catch-up page; returns whether the server has more. */
  applySync(out: SyncOut): boolean {
    for (const ev of out.events) this.applyEvent(ev, false);
    for (const id of out.removed) this.chats.delete(id);
    this.changed();
    return out.has_more;
  }

  /** Whether any chat still waits for a gap to be filled. */
  hasGaps(): boolean {
    for (const c of this.chats.values()) if (c.buffered.length) return true;
    return false;
  }

  private apply(chat: ChatState, ev: EventOut): void {
    chat.cursor = ev.seq;
    const s = chat.summary;
    s.last_seq = ev.seq;
    const me = this.me.id;
    if (ev.kind === "read") {
      const user = Number(ev.data.user);
      const upTo = Number(ev.data.up_to);
      if (user === me) this.markReadLocally(chat, upTo);
      else chat.readBy[user] = Math.max(chat.readBy[user] ?? 0, upTo);
      return;
    }
    if (ev.kind === "edited" || ev.kind === "deleted") {
      // A change to an earlier message: no row of its own, nothing unread, and (as on the server)
      // no move up the chat list.
      const change: Change =
        ev.kind === "deleted"
          ? { deleted: true }
          : { text: String(ev.data.text ?? ""), edited_at: String(ev.data.edited_at ?? ev.sent_at) };
      this.changeMessage(chat, Number(ev.data.seq), change, ev.seq);
      return;
    }
    s.last_activity = ev.sent_at;
    if (ev.kind === "message") {
      s.last_message = ev;
      if (ev.sender?.id === me) {
        s.last_read_seq = Math.max(s.last_read_seq, ev.seq);
        chat.outbox = chat.outbox.filter((o) => o.client_id !== ev.client_id);
      } else {
        if (ev.seq > chat.unreadAsOf && ev.seq > s.last_read_seq) s.unread++;
        if (ev.sender) delete chat.typing[ev.sender.id];
      }
    } else {
      this.applyMembership(chat, ev);
    }
    chat.timeline.push(eventItem(ev));
  }

  /**
   * Apply an edit or deletion to message `seq` wherever it shows: its timeline row, the chat list's
   * preview, or (when not loaded yet) the history that brings it later. `at` is the seq of the
   * event, or null for our own request's answer (the event that follows finds it already done).
   */
  private changeMessage(chat: ChatState, seq: number, change: Change, at: number | null): void {
    const s = chat.summary;
    const i = chat.timeline.findIndex((x) => x.seq === seq && x.kind === "message");
    const item = i >= 0 ? chat.timeline[i] : undefined;
    const sender = item?.sender ?? (s.last_message?.seq === seq ? s.last_message.sender : undefined);
    const wasDeleted = item ? isDeleted(item) : s.last_message?.seq === seq ? isDeleted(s.last_message) : false;
    if (item) chat.timeline[i] = { ...changed(item, change, ""), key: item.key };
    else if (seq < chat.from) chat.changes[seq] = mergeChange(chat.changes[seq], change);
    if (s.last_message?.seq === seq) s.last_message = changed(s.last_message, change, null);
    // A deleted message is no longer waiting to be read. Counts the server gave us (up to unreadAsOf)
    // already left out deletions made before them.
    if (
      change.deleted && !wasDeleted && (at === null || at > chat.unreadAsOf) &&
      sender && sender.id !== this.me.id && seq > s.last_read_seq && s.unread > 0
    ) {
      s.unread--;
    }
  }

  /** The answer to our own edit or delete request: show it now; the event that follows changes nothing more. */
  patchMessage(chatId: number, seq: number, change: Change): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    this.changeMessage(chat, seq, change, null);
    this.changed();
  }

  private applyMembership(chat: ChatState, ev: EventOut): void {
    const s = chat.summary;
    const user = ev.data.user as UserRef | undefined;
    switch (ev.kind) {
      case "renamed":
        if (s.kind === "group") s.title = String(ev.data.title);
        break;
      case "member_added":
        if (user && !s.members.some((m) => m.id === user.id)) {
          s.members.push({ ...user, online: false, last_seen: null, role: ev.data.role ?? "member" });
        }
        break;
      case "member_removed":
      case "member_left":
        if (user) s.members = s.members.filter((m) => m.id !== user.id);
        break;
      case "role_changed":
        if (user) {
          const m = s.members.find((x) => x.id === user.id);
          if (m) m.role = ev.data.role;
          if (user.id === this.me.id) s.my_role = ev.data.role;
        }
        break;
    }
  }

  /** Our own read marker moved (here or in another session of ours). */
  markReadLocally(chat: ChatState, upTo: number): void {
    const s = chat.summary;
    if (upTo <= s.last_read_seq) return;
    s.last_read_seq = upTo;
    const lastMessage = s.last_message?.seq ?? 0;
    if (upTo >= lastMessage) {
      s.unread = 0;
    } else if (chat.from <= upTo + 1) {
      s.unread = chat.timeline.filter(
        (i) => i.kind === "message" && !isDeleted(i) && i.sender?.id !== this.me.id && i.seq! > upTo,
      ).length;
    }
  }

  /** A page of history before `from` (ascending, as the server returns it). */
  prependHistory(chatId: number, page: EventOut[], limit: number): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    const known = new Set(chat.timeline.map((i) => i.seq));
    const older = page.filter((e) => e.seq < chat.from && !known.has(e.seq)).map((e) => {
      const item = eventItem(e);
      const change = chat.changes[e.seq];
      if (!change) return item;
      delete chat.changes[e.seq];
      return { ...changed(item, change, ""), key: item.key };
    });
    chat.timeline = [...older, ...chat.timeline];
    if (page.length < limit || page.length === 0) {
      chat.from = 1;
      chat.hasOlder = false;
    } else {
      chat.from = Math.min(chat.from, page[0].seq);
      chat.hasOlder = chat.from > 1;
    }
    chat.loaded = true;
    this.changed();
  }

  // --- the outbox -----------------------------------------------------------------------------

  addOutgoing(out: Outgoing): Item {
    const chat = this.chats.get(out.chat_id);
    const item: Item = {
      key: `c${out.client_id}`,
      seq: null,
      kind: "message",
      sender: this.me,
      text: out.text,
      client_id: out.client_id,
      data: {},
      sent_at: out.sent_at,
      status: "pending",
    };
    if (chat && !chat.outbox.some((o) => o.client_id === out.client_id)) {
      // A message already confirmed in the timeline is not re-added (an ack may have raced a reload).
      if (!chat.timeline.some((i) => i.client_id === out.client_id && i.sender?.id === this.me.id)) {
        chat.outbox.push(item);
      }
    }
    this.changed();
    return item;
  }

  /** Outgoing messages not yet acknowledged, oldest first (what to (re)send after reconnecting). */
  unsent(): Outgoing[] {
    const out: Outgoing[] = [];
    for (const c of this.chats.values()) {
      for (const o of c.outbox) {
        if (o.status !== "sent") {
          out.push({ chat_id: c.id, client_id: o.client_id!, text: o.text, sent_at: o.sent_at });
        }
      }
    }
    return out.sort((a, b) => a.sent_at.localeCompare(b.sent_at));
  }

  private findOutgoing(chatId: number, clientId: string): Item | undefined {
    return this.chats.get(chatId)?.outbox.find((o) => o.client_id === clientId);
  }

  acked(chatId: number, ack: AckOut): void {
    const chat = this.chats.get(chatId);
    const item = this.findOutgoing(chatId, ack.client_id);
    if (!chat || !item) return;
    if (ack.seq <= chat.cursor) {
      // The event itself already arrived; the timeline has it.
      chat.outbox = chat.outbox.filter((o) => o !== item);
    } else {
      item.status = "sent";
      item.seq = ack.seq;
      item.sent_at = ack.sent_at;
      item.error = undefined;
    }
    this.changed();
  }

  failed(chatId: number, clientId: string, message: string): void {
    const item = this.findOutgoing(chatId, clientId);
    if (!item) return;
    item.status = "failed";
    item.error = message;
    this.changed();
  }

  retrying(chatId: number, clientId: string): void {
    const item = this.findOutgoing(chatId, clientId);
    if (!item) return;
    item.status = "pending";
    item.error = undefined;
    this.changed();
  }

  discard(chatId: number, clientId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    chat.outbox = chat.outbox.filter((o) => o.client_id !== clientId);
    this.changed();
  }

  // --- ephemeral state ------------------------------------------------------------------------

  typing(t: TypingOut, now = Date.now()): void {
    const chat = this.chats.get(t.chat_id);
    if (!chat || t.user.id === this.me.id) return;
    if (t.typing) chat.typing[t.user.id] = { name: t.user.display_name || t.user.username, until: now + t.expires_in * 1000 };
    else delete chat.typing[t.user.id];
    this.changed();
  }

  /** Drop typing indicators past their expiry; returns whether anything changed. */
  expireTyping(now = Date.now()): boolean {
    let any = false;
    for (const c of this.chats.values()) {
      for (const [id, t] of Object.entries(c.typing)) {
        if (t.until <= now) {
          delete c.typing[Number(id)];
          any = true;
        }
      }
    }
    if (any) this.changed();
    return any;
  }

  presence(p: PresenceOut): void {
    for (const c of this.chats.values()) {
      for (const m of c.summary.members) {
        if (m.id === p.user_id) {
          m.online = p.online;
          if (p.last_seen) m.last_seen = p.last_seen;
        }
      }
    }
    this.changed();
  }

  /** Whether some other member has read up to `seq` (for the ✓✓ receipt). */
  readByOthers(chat: ChatState, seq: number): boolean {
    return Object.values(chat.readBy).some((r) => r >= seq);
  }
}
