import { useEffect, useRef, useState } from "preact/hooks";
import type { Client } from "../client";
import { lastSeen, plural } from "../format";
import { type ChatState, type Item, isDeleted } from "../state/chats";
import { Avatar } from "./Avatar";
import { ChatInfo } from "./ChatInfo";
import { Composer, type Editing } from "./Composer";
import { Dialog } from "./Dialog";
import { useTick } from "./hooks";
import { IconBack, IconInfo } from "./icons";
import { MessageList } from "./MessageList";

export function Conversation(props: { client: Client; chat: ChatState; onBack(): void; onLeft(): void }) {
  const { client, chat } = props;
  const s = chat.summary;
  const me = client.me.id;
  const [info, setInfo] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Item | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTick(30_000);
  const other = s.kind === "direct" ? s.members.find((m) => m.id !== me) : undefined;
  const typing = Object.values(chat.typing).map((t) => t.name);

  let subtitle: string;
  if (typing.length) {
    subtitle = s.kind === "direct" ? "typing…" : `${typing.slice(0, 2).join(", ")}${typing.length > 2 ? " and others" : ""} ${typing.length === 1 ? "is" : "are"} typing…`;
  } else if (other) {
    subtitle = other.online ? "online" : lastSeen(other.last_seen);
  } else {
    const online = s.members.filter((m) => m.online).length;
    subtitle = `${plural(s.members.length, "member")}${online ? `, ${online} online` : ""}`;
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector(".dialog")) {
        if (editing) setEditing(null);
        else if (info) setInfo(false);
        else props.onBack();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [info, editing]);

  // A message deleted (here or elsewhere) while it is being edited cannot be saved any more.
  const editedItem = editing ? chat.timeline.find((i) => i.seq === editing.seq) : undefined;
  useEffect(() => {
    if (editing && editedItem && isDeleted(editedItem)) {
      setEditing(null);
      client.notice("The message you were editing was deleted.");
    }
  });

  const startEdit = (item: Item) => {
    if (item.seq === null || isDeleted(item)) return;
    setEditing({ seq: item.seq, text: item.text });
  };

  const editLast = (): boolean => {
    for (let i = chat.timeline.length - 1; i >= 0; i--) {
      const item = chat.timeline[i];
      if (item.kind === "message" && item.sender?.id === me && !isDeleted(item)) {
        startEdit(item);
        return true;
      }
    }
    return false;
  };

  const askDelete = (item: Item) => {
    setDeleteError(null);
    setDeleting(item);
  };

  const confirmDelete = async () => {
    if (!deleting || deleting.seq === null) return;
    setBusy(true);
    try {
      await client.deleteMessage(chat.id, deleting.seq);
      if (editing?.seq === deleting.seq) setEditing(null);
      setDeleting(null);
    } catch (err) {
      setDeleteError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const canDeleteOthers = s.kind === "group" && (s.my_role === "owner" || s.my_role === "admin");
  const deletingName = deleting && deleting.sender?.id !== me ? deleting.sender?.display_name || deleting.sender?.username : null;

  return (
    <section class="conversation" aria-label={`Conversation with ${s.title}`}>
      <header class="conv-head">
        <button class="icon-btn back" onClick={props.onBack} aria-label="Back to chats"><IconBack /></button>
        <button class="conv-title" onClick={() => setInfo(!info)} aria-label={`${s.title}: chat details`}>
          <Avatar id={s.kind === "group" ? 1002 + chat.id : other?.id ?? chat.id} name={s.title} size={40} online={other?.online} />
          <span class="conv-names">
            <strong>{s.title}</strong>
            <span class={`small ${typing.length ? "accent" : other?.online ? "accent" : "muted"}`} aria-live="polite">{subtitle}</span>
          </span>
        </button>
        <button class={`icon-btn ${info ? "on" : ""}`} onClick={() => setInfo(!info)} aria-label="Chat details" aria-expanded={info}>
          <IconInfo />
        </button>
      </header>
      <div class="conv-body">
        <div class="conv-main">
          <MessageList client={client} chat={chat} editingSeq={editing?.seq ?? null} canDeleteOthers={canDeleteOthers}
            onEdit={startEdit} onDelete={askDelete} />
          <Composer client={client} chat={chat} inputRef={composer} editing={editing}
            onEditDone={() => { setEditing(null); composer.current?.focus(); }} onEditLast={editLast} />
        </div>
        {info && <ChatInfo client={client} chat={chat} onClose={() => setInfo(false)} onLeft={props.onLeft} />}
      </div>
      {deleting && (
        <Dialog title="Delete message?" onClose={() => !busy && setDeleting(null)}>
          <div class="dialog-body">
            <p>{deletingName ? `Delete ${deletingName}’s message for everyone in this chat?` : "It will be deleted for everyone in this chat."}</p>
            <blockquote class="delete-quote">{deleting.text}</blockquote>
            <p class="form-error" role="alert">{deleteError}</p>
            <div class="dialog-actions">
              <button class="btn" onClick={() => setDeleting(null)} disabled={busy}>Cancel</button>
              <button class="btn danger-solid" onClick={() => void confirmDelete()} disabled={busy}>Delete</button>
            </div>
          </div>
        </Dialog>
      )}
    </section>
  );
}
