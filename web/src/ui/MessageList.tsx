import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Client } from "../client";
import { dayLabel, linkify, timeOfDay } from "../format";
import { type ChatState, type Item, isDeleted } from "../state/chats";
import { buildRows, describe } from "../state/rows";
import { Avatar } from "./Avatar";
import { IconAlert, IconCheck, IconChecks, IconClock, IconDown, IconEdit, IconMore, IconTrash } from "./icons";

const NEAR_TOP = 300;
const NEAR_BOTTOM = 60;
const MAX_UNREAD_PAGES = 6;

function MessageText(props: { text: string }) {
  // Text nodes only: user content is never parsed as HTML.
  return (
    <>
      {linkify(props.text).map((seg, i) =>
        seg.href ? (
          <a key={i} href={seg.href} target="_blank" rel="noopener noreferrer nofollow">{seg.text}</a>
        ) : (
          seg.text
        ),
      )}
    </>
  );
}

/** The "⋯" button on a message and its menu (Edit, Delete), usable by mouse, touch and keyboard. */
function MessageActions(props: { item: Item; canEdit: boolean; canDelete: boolean; onEdit(): void; onDelete(): void }) {
  const [open, setOpen] = useState<"up" | "down" | null>(null);
  const wrap = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    wrap.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const outside = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(null);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const toggle = () => {
    if (open) {
      setOpen(null);
      return;
    }
    // Open upwards unless the message is near the top of the list (the menu would be cut off).
    const list = wrap.current?.closest(".messages")?.getBoundingClientRect();
    const at = wrap.current?.getBoundingClientRect();
    setOpen(list && at && at.top - list.top < 110 ? "down" : "up");
  };

  const close = (refocus = true) => {
    setOpen(null);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const items = [...(wrap.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = (at + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    } else if (e.key === "Tab") {
      close(false);
    }
  };

  const choose = (fn: () => void) => {
    setOpen(null);
    fn();
  };

  return (
    <span class="msg-tools" ref={wrap}>
      <button ref={button} type="button" class={`msg-actions ${open ? "open" : ""}`} aria-label="Message actions" title="Message actions"
        aria-haspopup="menu" aria-expanded={!!open} onClick={toggle}>
        <IconMore />
      </button>
      {open && (
        <div class={`menu msg-menu ${open}`} role="menu" aria-label="Message actions" onKeyDown={onMenuKey}>
          {props.canEdit && (
            <button role="menuitem" onClick={() => choose(props.onEdit)}><IconEdit size={16} /> Edit</button>
          )}
          {props.canDelete && (
            <button role="menuitem" class="danger" onClick={() => choose(props.onDelete)}><IconTrash /> Delete</button>
          )}
        </div>
      )}
    </span>
  );
}

function Receipt(props: { client: Client; chat: ChatState; item: Item }) {
  const { item } = props;
  if (item.status === "pending") return <span class="receipt pending" title="Sending…" aria-label="sending"><IconClock /></span>;
  if (item.status === "failed") return <span class="receipt failed" aria-label="failed"><IconAlert /></span>;
  const read = item.seq !== null && props.client.store.readByOthers(props.chat, item.seq);
  return read ? (
    <span class="receipt read" title="Read" aria-label="read"><IconChecks /></span>
  ) : (
    <span class="receipt" title="Sent" aria-label="sent"><IconCheck /></span>
  );
}

export function MessageList(props: {
  client: Client;
  chat: ChatState;
  editingSeq: number | null;
  /** Whether we may delete other people's messages (a group's owners and admins). */
  canDeleteOthers: boolean;
  onEdit(item: Item): void;
  onDelete(item: Item): void;
}) {
  const { client, chat } = props;
  const me = client.me.id;
  const group = chat.summary.kind === "group";
  const scroller = useRef<HTMLDivElement>(null);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState(false);
  const [atBottom, setAtBottom] = useState(true);
  // Where the "new messages" divider goes: fixed when the chat opens (or when messages arrive unseen).
  const [unreadFrom, setUnreadFrom] = useState<number | null>(() =>
    chat.summary.unread > 0 ? chat.summary.last_read_seq + 1 : null,
  );
  const positioned = useRef(false);
  const pages = useRef(0);
  // On opening, load back to the first unread message (within reason) so the divider can be shown.
  const wantsUnread = () =>
    !positioned.current && unreadFrom !== null && chat.hasOlder && chat.from > unreadFrom && pages.current < MAX_UNREAD_PAGES;
  const loadingRef = useRef(false);

  // Measured before each DOM update, used after it to keep the view still.
  const el = scroller.current;
  const before = el
    ? {
        height: el.scrollHeight,
        top: el.scrollTop,
        bottom: el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM,
      }
    : null;
  // The first row drawn last time (the store is already updated when we render, so remember it here).
  const drawnFirst = useRef<string | undefined>(undefined);
  const snapshot = useRef(before);
  snapshot.current = before;

  const rows = buildRows(chat, me, unreadFrom);

  const loadOlder = async () => {
    if (loadingRef.current || (chat.loaded && !chat.hasOlder)) return;
    loadingRef.current = true;
    setLoading(true);
    setLoadError(false);
    try {
      await client.loadOlder(chat.id);
      pages.current++;
    } catch {
      setLoadError(true);
    } finally {
      loadingRef.current = false;
      setLoading(false);
    }
  };

  const visible = () => !document.hidden && document.hasFocus();

  const markIfSeen = () => {
    const node = scroller.current;
    if (!node || !positioned.current) return;
    const bottom = node.scrollHeight - node.scrollTop - node.clientHeight < NEAR_BOTTOM;
    setAtBottom(bottom);
    if (bottom && visible() && chat.summary.unread > 0) client.markRead(chat.id);
  };

  // The first page, when the chat was never opened (or catch-up came first).
  useEffect(() => {
    if (!chat.loaded && client.state === "online") void loadOlder();
  }, [chat.id, client.state]);

  useLayoutEffect(() => {
    const node = scroller.current;
    if (!node) return;
    const prev = snapshot.current;
    const firstBefore = drawnFirst.current;
    drawnFirst.current = chat.timeline[0]?.key;
    if (!positioned.current) {
      if (!chat.loaded && chat.hasOlder) return;
      if (wantsUnread()) {
        if (!loadingRef.current) void loadOlder();
        return;
      }
      // First paint of this chat: the unread divider if any, else the end.
      const divider = node.querySelector<HTMLElement>(".unread-divider");
      if (divider) node.scrollTop = Math.max(0, divider.offsetTop - 80);
      else if (unreadFrom !== null && chat.from > unreadFrom) node.scrollTop = 0; // more unread than we loaded
      else node.scrollTop = node.scrollHeight;
      positioned.current = true;
      markIfSeen();
      return;
    }
    if (!prev) return;
    if (firstBefore !== chat.timeline[0]?.key && node.scrollHeight !== prev.height && !prev.bottom) {
      // Older messages were added above: keep what the reader was looking at in place.
      node.scrollTop = prev.top + (node.scrollHeight - prev.height);
    } else if (prev.bottom && node.scrollHeight !== prev.height) {
      node.scrollTop = node.scrollHeight;
    }
  });

  // Fill the screen: keep loading while there is no scrollbar yet.
  useEffect(() => {
    const node = scroller.current;
    if (node && positioned.current && chat.hasOlder && !loading && !loadError && node.scrollHeight <= node.clientHeight + NEAR_TOP) {
      void loadOlder();
    }
  });

  // Unseen arrivals: remember where they start for the divider; mark read when they are seen.
  useEffect(() => {
    if (unreadFrom === null && chat.summary.unread > 0 && (!atBottom || !visible())) {
      setUnreadFrom(chat.summary.last_read_seq + 1);
    }
    markIfSeen();
  }, [chat.cursor, chat.summary.unread]);

  useEffect(() => {
    const seen = () => markIfSeen();
    const sent = (e: Event) => {
      if ((e as CustomEvent).detail !== chat.id) return;
      const node = scroller.current;
      if (node) node.scrollTop = node.scrollHeight;
      setUnreadFrom(null);
    };
    window.addEventListener("focus", seen);
    document.addEventListener("visibilitychange", seen);
    document.addEventListener("parley:sent", sent);
    return () => {
      window.removeEventListener("focus", seen);
      document.removeEventListener("visibilitychange", seen);
      document.removeEventListener("parley:sent", sent);
    };
  }, [chat.id]);

  const onScroll = () => {
    const node = scroller.current;
    if (!node || !positioned.current) return;
    if (node.scrollTop < NEAR_TOP && chat.hasOlder && !loadError) void loadOlder();
    markIfSeen();
  };

  const toBottom = () => {
    const node = scroller.current;
    if (node) node.scrollTo({ top: node.scrollHeight, behavior: "smooth" });
  };

  const unread = chat.summary.unread;
  return (
    <div class="messages-wrap">
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite" tabIndex={0}>
        <div class="history-edge">
          {loading ? (
            <span class="spinner" role="status" aria-label="Loading older messages" />
          ) : loadError ? (
            <button class="link" onClick={() => void loadOlder()}>Couldn’t load older messages — retry</button>
          ) : chat.loaded && !chat.hasOlder ? (
            <span class="muted small">This is the beginning of the conversation.</span>
          ) : null}
        </div>
        {rows.map((row) => {
          switch (row.type) {
            case "day":
              return <div key={row.key} class="day"><span>{dayLabel(row.iso)}</span></div>;
            case "unread":
              return <div key={row.key} class="unread-divider" role="separator"><span>New messages</span></div>;
            case "system":
              return <div key={row.key} class="system"><span>{describe(row.item, me)}</span></div>;
            case "message": {
              const { item, mine } = row;
              const name = item.sender?.display_name || item.sender?.username || "";
              const gone = isDeleted(item);
              const editedAt = !gone && typeof item.data.edited_at === "string" ? item.data.edited_at : null;
              const confirmed = item.seq !== null && item.status === "sent" && !gone;
              const canEdit = confirmed && mine;
              const canDelete = confirmed && (mine || props.canDeleteOthers);
              const actions = (canEdit || canDelete) && (
                <MessageActions item={item} canEdit={canEdit} canDelete={canDelete}
                  onEdit={() => props.onEdit(item)} onDelete={() => props.onDelete(item)} />
              );
              return (
                <div key={row.key}
                  class={`msg ${mine ? "mine" : "theirs"} ${row.first ? "first" : ""} ${row.last ? "last" : ""} ${item.status}${gone ? " deleted" : ""}${props.editingSeq !== null && item.seq === props.editingSeq ? " editing" : ""}`}
                  data-seq={item.seq ?? undefined} data-client-id={item.client_id ?? undefined}>
                  {group && !mine && (
                    <span class="msg-avatar">{row.last && item.sender && <Avatar id={item.sender.id} name={name} size={32} />}</span>
                  )}
                  {mine && actions}
                  <div class="bubble">
                    {group && !mine && row.first && <span class="sender" style={{ color: `var(--name-${(item.sender?.id ?? 0) % 8})` }}>{name}</span>}
                    {gone ? (
                      <span class="tombstone">Message deleted</span>
                    ) : (
                      <span class="text"><MessageText text={item.text} /></span>
                    )}
                    <span class="meta">
                      {editedAt && <span class="edited" title={`Edited ${new Date(editedAt).toLocaleString()}`}>edited</span>}
                      <time dateTime={item.sent_at} title={new Date(item.sent_at).toLocaleString()}>{timeOfDay(item.sent_at)}</time>
                      {mine && !gone && <Receipt client={client} chat={chat} item={item} />}
                    </span>
                  </div>
                  {!mine && actions}
                  {item.status === "failed" && (
                    <div class="failed-row">
                      <span>Not sent{item.error ? ` — ${item.error}` : ""}.</span>
                      <button class="link" onClick={() => client.retry(chat.id, item.client_id!)}>Retry</button>
                      <button class="link muted" onClick={() => client.discard(chat.id, item.client_id!)}>Delete</button>
                    </div>
                  )}
                </div>
              );
            }
          }
        })}
        {chat.loaded && rows.length === 0 && (
          <div class="no-messages muted">No messages here yet. Say hello!</div>
        )}
      </div>
      {!atBottom && (
        <button class="to-bottom" onClick={toBottom} aria-label={unread ? `Scroll to latest, ${unread} unread` : "Scroll to latest"}>
          <IconDown />
          {unread > 0 && <span class="badge">{unread}</span>}
        </button>
      )}
    </div>
  );
}
