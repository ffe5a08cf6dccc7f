// The live connection: Socket.IO with the session token, catch-up on every (re)connect, the outbox,
// and the requests the UI makes. State lives in ChatStore; this file only moves data in and out of it.

import { io, type Socket } from "socket.io-client";
import type { Ack, AckOut, ChatOut, EventOut, PresenceOut, SyncOut, TypingOut, UserOut, UserRef } from "./protocol";
import { HISTORY_PAGE } from "./protocol";
import { ChatStore, type Outgoing } from "./state/chats";

export type ConnectionState = "connecting" | "online" | "offline";

export class RequestError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT = 10_000;
const TYPING_EVERY = 2_500;

function uuid(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
  });
}

/** Errors of edit and delete requests, said for people. */
function friendly(e: RequestError): RequestError {
  const say: Record<string, string> = {
    forbidden: "You can’t change someone else’s message.",
    message_not_found: "That message no longer exists.",
    message_deleted: "That message was deleted.",
    message_empty: "A message needs some text. To remove it, delete it instead.",
    not_a_member: "You are no longer in this chat.",
  };
  const text = say[e.code] ?? (e.message ? e.message.charAt(0).toUpperCase() + e.message.slice(1).replace(/\.?$/, ".") : "Something went wrong.");
  return new RequestError(e.code, text);
}

export interface ClientHooks {
  /** A message from someone else arrived live (for notifications). */
  onMessage?(ev: EventOut): void;
  /** The server ended this session (logged out elsewhere, revoked). */
  onSessionEnded?(): void;
  /** Something worth a short notice ("You were removed from …"). */
  onNotice?(text: string): void;
}

export class Client {
  readonly store: ChatStore;
  state: ConnectionState = "connecting";
  /** True once the first chat list has arrived. */
  ready = false;
  private socket: Socket;
  private syncing: Promise<void> | null = null;
  private resyncWanted = false;
  private inflight = new Set<string>();
  private lastTyping = new Map<number, number>();
  private typingTimer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly token: string,
    readonly me: UserRef,
    private hooks: ClientHooks = {},
  ) {
    this.store = new ChatStore(me);
    this.socket = io({
      path: "/socket.io",
      auth: { token },
      transports: ["websocket", "polling"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      autoConnect: false,
    });
    this.socket.on("connect", () => void this.onConnect());
    this.socket.on("disconnect", () => this.setState("offline"));
    this.socket.on("connect_error", (err: any) => {
      const code = err?.data?.code;
      if (code === "unauthorized") this.hooks.onSessionEnded?.();
      else this.setState("offline");
    });
    this.socket.on("event", (ev: EventOut) => this.onEvent(ev));
    this.socket.on("chat", (chat: ChatOut) => this.onChat(chat));
    this.socket.on("typing", (t: TypingOut) => this.store.typing(t));
    this.socket.on("presence", (p: PresenceOut) => this.store.presence(p));
    this.socket.on("session_ended", () => this.hooks.onSessionEnded?.());
    this.restoreOutbox();
    this.store.subscribe(() => this.saveOutbox());
    this.typingTimer = setInterval(() => this.store.expireTyping(), 1000);
    window.addEventListener("online", this.wentOnline);
    window.addEventListener("offline", this.wentOffline);
    if (navigator.onLine === false) this.setState("offline");
    else this.socket.connect();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.typingTimer);
    window.removeEventListener("online", this.wentOnline);
    window.removeEventListener("offline", this.wentOffline);
    this.socket.disconnect();
  }

  /** The browser says the network is gone: stop using the socket rather than wait for ping timeouts. */
  private wentOffline = () => {
    this.socket.disconnect();
    this.setState("offline");
  };

  private wentOnline = () => {
    if (!this.closed && !this.socket.connected) {
      this.setState("connecting");
      this.socket.connect();
    }
  };

  /** A short notice for the person (shown by the shell). */
  notice(text: string): void {
    this.hooks.onNotice?.(text);
  }

  reconnectNow(): void {
    this.wentOnline();
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.store.changed();
  }

  private async request<T>(event: string, payload?: unknown): Promise<T> {
    if (!this.socket.connected) throw new RequestError("connection_lost", "You are offline.");
    let reply: Ack<T>;
    try {
      const s = this.socket.timeout(REQUEST_TIMEOUT);
      reply = payload === undefined ? await s.emitWithAck(event) : await s.emitWithAck(event, payload);
    } catch {
      throw new RequestError("connection_lost", "The server did not answer in time.");
    }
    if (!reply.ok) throw new RequestError(reply.error.code, reply.error.message);
    return reply.data;
  }

  // --- catch-up -------------------------------------------------------------------------------

  private async onConnect(): Promise<void> {
    this.setState("connecting");
    try {
      const chats = await this.request<ChatOut[]>("chats");
      this.store.mergeChats(chats);
      this.ready = true;
      await this.catchUp();
      this.setState("online");
      await this.flushOutbox();
    } catch {
      // The socket dropped mid-way; the next connect starts over.
      if (!this.socket.connected) this.setState("offline");
      else setTimeout(() => this.socket.connected && void this.onConnect(), 2000);
    }
  }

  /** Fetch everything after our cursors until the server has no more; one run at a time. */
  catchUp(): Promise<void> {
    if (this.syncing) {
      this.resyncWanted = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.resyncWanted = false;
          let more = true;
          while (more) {
            const out = await this.request<SyncOut>("sync", { cursors: this.store.cursors() });
            for (const id of out.removed) {
              const chat = this.store.get(id);
              if (chat) this.hooks.onNotice?.(`You are no longer in “${chat.summary.title}”.`);
            }
            more = this.store.applySync(out);
          }
        } while (this.resyncWanted || this.store.hasGaps());
      } finally {
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  private onEvent(ev: EventOut): void {
    const result = this.store.applyEvent(ev);
    if (result === "gap") void this.catchUp().catch(() => undefined);
    else if (result === "unknown") void this.fetchChat(ev.chat_id);
    else if (result === "applied" && ev.kind === "message" && ev.sender?.id !== this.me.id) this.hooks.onMessage?.(ev);
    if (result === "applied" && (ev.kind === "member_removed" || ev.kind === "member_left") && ev.data.user?.id === this.me.id) {
      // Our membership ended: the chat disappears once catch-up confirms it.
      void this.catchUp().catch(() => undefined);
    }
  }

  private onChat(chat: ChatOut): void {
    const known = this.store.get(chat.id);
    this.store.upsertChat(chat);
    if (known) void this.catchUp().catch(() => undefined);
  }

  private async fetchChat(chatId: number): Promise<void> {
    try {
      this.store.upsertChat(await this.request<ChatOut>("chat", { chat_id: chatId }));
      await this.catchUp();
    } catch {
      /* not ours (any more) */
    }
  }

  // --- messages -------------------------------------------------------------------------------

  send(chatId: number, text: string): void {
    const out: Outgoing = { chat_id: chatId, client_id: uuid(), text, sent_at: new Date().toISOString() };
    this.store.addOutgoing(out);
    this.typing(chatId, false);
    void this.deliver(out);
  }

  retry(chatId: number, clientId: string): void {
    const chat = this.store.get(chatId);
    const item = chat?.outbox.find((o) => o.client_id === clientId);
    if (!item) return;
    this.store.retrying(chatId, clientId);
    void this.deliver({ chat_id: chatId, client_id: clientId, text: item.text, sent_at: item.sent_at });
  }

  /** Send one outgoing message; while offline it just waits in the outbox (same client id later). */
  private async deliver(out: Outgoing): Promise<void> {
    if (this.state !== "online" || this.inflight.has(out.client_id)) return;
    this.inflight.add(out.client_id);
    try {
      const ack = await this.request<AckOut>("send", { chat_id: out.chat_id, client_id: out.client_id, text: out.text });
      this.store.acked(out.chat_id, ack);
    } catch (err) {
      const e = err as RequestError;
      // Lost connections are retried on reconnect (or soon, if the socket survived a slow answer);
      // anything else the user decides about.
      if (e.code !== "connection_lost") this.store.failed(out.chat_id, out.client_id, e.message);
      else if (this.socket.connected) setTimeout(() => void this.deliver(out), 3000);
    } finally {
      this.inflight.delete(out.client_id);
    }
  }

  private async flushOutbox(): Promise<void> {
    for (const out of this.store.unsent()) {
      const chat = this.store.get(out.chat_id);
      const item = chat?.outbox.find((o) => o.client_id === out.client_id);
      if (item?.status === "failed") continue;
      await this.deliver(out);
    }
  }

  private outboxKey(): string {
    return `parley.outbox.${this.me.id}`;
  }

  private restoreOutbox(): void {
    this.pendingRestore = [];
    try {
      this.pendingRestore = JSON.parse(localStorage.getItem(this.outboxKey()) ?? "[]");
    } catch {
      /* ignore a corrupt outbox */
    }
    this.store.subscribe(this.applyRestore);
  }

  private pendingRestore: Outgoing[] = [];
  private applyRestore = () => {
    // Saved outgoing messages are re-added once their chats are known.
    if (!this.pendingRestore.length) return;
    const ready = this.pendingRestore.filter((o) => this.store.get(o.chat_id));
    if (!ready.length) return;
    this.pendingRestore = this.pendingRestore.filter((o) => !this.store.get(o.chat_id));
    for (const o of ready) this.store.addOutgoing(o);
  };

  private saveOutbox(): void {
    const all: Outgoing[] = [...this.pendingRestore];
    for (const c of this.store.chats.values()) {
      for (const o of c.outbox) all.push({ chat_id: c.id, client_id: o.client_id!, text: o.text, sent_at: o.sent_at });
    }
    const json = JSON.stringify(all);
    if (json !== this.savedOutbox) {
      this.savedOutbox = json;
      try {
        localStorage.setItem(this.outboxKey(), json);
      } catch {
        /* storage full or unavailable */
      }
    }
  }
  private savedOutbox = "";

  /** Change the text of one of our messages; shown at once, the `edited` event confirms it to everyone. */
  async editMessage(chatId: number, seq: number, text: string): Promise<void> {
    try {
      const ev = await this.request<EventOut>("edit", { chat_id: chatId, seq, text });
      this.store.patchMessage(chatId, seq, { text: ev.text ?? text, edited_at: String(ev.data?.edited_at ?? new Date().toISOString()) });
    } catch (err) {
      throw friendly(err as RequestError);
    }
  }

  /** Delete a message (ours, or anyone's in a group we own or administer). */
  async deleteMessage(chatId: number, seq: number): Promise<void> {
    try {
      await this.request("delete", { chat_id: chatId, seq });
      this.store.patchMessage(chatId, seq, { deleted: true });
    } catch (err) {
      throw friendly(err as RequestError);
    }
  }

  discard(chatId: number, clientId: string): void {
    this.store.discard(chatId, clientId);
  }

  async loadOlder(chatId: number): Promise<void> {
    const chat = this.store.get(chatId);
    if (!chat || (chat.loaded && !chat.hasOlder)) return;
    const page = await this.request<EventOut[]>("history", { chat_id: chatId, before: chat.from, limit: HISTORY_PAGE });
    this.store.prependHistory(chatId, page, HISTORY_PAGE);
  }

  markRead(chatId: number): void {
    const chat = this.store.get(chatId);
    if (!chat || this.state !== "online") return;
    const seq = chat.cursor;
    if (seq <= chat.summary.last_read_seq && chat.summary.unread === 0) return;
    this.store.markReadLocally(chat, seq);
    chat.summary.unread = 0;
    this.store.changed();
    this.request("read", { chat_id: chatId, seq }).catch(() => undefined);
  }

  typing(chatId: number, typing: boolean): void {
    if (this.state !== "online") return;
    const now = Date.now();
    const last = this.lastTyping.get(chatId) ?? 0;
    if (typing) {
      if (now - last < TYPING_EVERY) return;
      this.lastTyping.set(chatId, now);
    } else {
      if (!last) return;
      this.lastTyping.delete(chatId);
    }
    this.request("typing", { chat_id: chatId, typing }).catch(() => undefined);
  }

  // --- chats ----------------------------------------------------------------------------------

  private async chatRequest(event: string, payload: unknown): Promise<ChatOut> {
    const chat = await this.request<ChatOut>(event, payload);
    this.store.upsertChat(chat);
    return chat;
  }

  openDirect(username: string): Promise<ChatOut> {
    return this.chatRequest("open_direct", { username });
  }

  createGroup(title: string, members: string[]): Promise<ChatOut> {
    return this.chatRequest("create_group", { title, members });
  }

  rename(chatId: number, title: string): Promise<ChatOut> {
    return this.chatRequest("rename", { chat_id: chatId, title });
  }

  addMembers(chatId: number, usernames: string[]): Promise<ChatOut> {
    return this.chatRequest("add_members", { chat_id: chatId, usernames });
  }

  removeMember(chatId: number, username: string): Promise<ChatOut> {
    return this.chatRequest("remove_member", { chat_id: chatId, username });
  }

  setRole(chatId: number, username: string, role: string): Promise<ChatOut> {
    return this.chatRequest("set_role", { chat_id: chatId, username, role });
  }

  async leave(chatId: number): Promise<void> {
    await this.request("leave", { chat_id: chatId });
    this.store.removeChat(chatId);
  }

  searchUsers(prefix: string): Promise<UserOut[]> {
    return this.request<UserOut[]>("search_users", { prefix, limit: 8 });
  }
}
