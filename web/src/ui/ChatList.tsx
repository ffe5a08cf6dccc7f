import { useState } from "preact/hooks";
import type { Client } from "../client";
import { listTime } from "../format";
import { preview } from "../state/rows";
import { Avatar } from "./Avatar";
import { useTick } from "./hooks";
import { IconCheck, IconChecks, IconEdit, IconLogout, IconSearch, IconUser, IconUsers } from "./icons";

export function ChatList(props: {
  client: Client;
  openId: number | null;
  onOpen(id: number): void;
  onNew(kind: "direct" | "group"): void;
  onSignOut(): void;
}) {
  const { client } = props;
  const store = client.store;
  const me = client.me;
  const [filter, setFilter] = useState("");
  const [menu, setMenu] = useState(false);
  useTick(60_000);
  const query = filter.trim().toLowerCase();
  const chats = store.ordered().filter((c) => {
    if (!query) return true;
    const s = c.summary;
    return (
      s.title.toLowerCase().includes(query) ||
      s.members.some((m) => m.id !== me.id && (m.username.toLowerCase().includes(query) || m.display_name.toLowerCase().includes(query)))
    );
  });

  const onKeyDown = (e: KeyboardEvent) => {
    // Arrow keys move between chats.
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const items = [...document.querySelectorAll<HTMLElement>(".chat-item")];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = items[Math.max(0, Math.min(items.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  };

  return (
    <aside class="sidebar" aria-label="Chats">
      <header class="sidebar-head">
        <button class="me" onClick={() => setMenu(!menu)} aria-haspopup="menu" aria-expanded={menu} aria-label="Account menu">
          <Avatar id={me.id} name={me.display_name || me.username} size={36} />
        </button>
        <div class="sidebar-title">
          <strong>{me.display_name || me.username}</strong>
          <span class="muted small">@{me.username}</span>
        </div>
        <button class="icon-btn" onClick={() => props.onNew("direct")} aria-label="New chat" title="New chat">
          <IconEdit />
        </button>
        {menu && (
          <div class="menu" role="menu" onKeyDown={(e) => e.key === "Escape" && setMenu(false)}>
            <button role="menuitem" onClick={() => { setMenu(false); props.onNew("direct"); }}><IconUser /> New message</button>
            <button role="menuitem" onClick={() => { setMenu(false); props.onNew("group"); }}><IconUsers /> New group</button>
            <button role="menuitem" class="danger" onClick={props.onSignOut}><IconLogout /> Log out</button>
          </div>
        )}
      </header>
      <div class="search">
        <IconSearch />
        <input type="search" placeholder="Search chats" aria-label="Search chats" value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)} />
      </div>
      <ul class="chat-list" role="list" onKeyDown={onKeyDown}>
        {chats.map((c) => {
          const s = c.summary;
          const other = s.kind === "direct" ? s.members.find((m) => m.id !== me.id) : undefined;
          const last = c.outbox.length ? c.outbox[c.outbox.length - 1].sent_at : s.last_message?.sent_at ?? s.last_activity;
          const typing = Object.values(c.typing);
          const lastMine = !c.outbox.length && s.last_message?.sender?.id === me.id;
          const read = lastMine && store.readByOthers(c, s.last_message!.seq);
          return (
            <li key={c.id}>
              <button
                class={`chat-item ${props.openId === c.id ? "active" : ""}`}
                onClick={() => props.onOpen(c.id)}
                aria-current={props.openId === c.id ? "true" : undefined}
                aria-label={`${s.title}${s.unread ? `, ${s.unread} unread` : ""}`}
                data-chat-id={c.id}
              >
                <Avatar id={s.kind === "group" ? 1002 + c.id : other?.id ?? c.id} name={s.title} online={other?.online} />
                <span class="chat-main">
                  <span class="chat-top">
                    <span class="chat-title">{s.title}</span>
                    <span class="chat-time">
                      {lastMine && (read ? <span class="receipt" aria-label="read"><IconChecks size={14} /></span> : <span class="receipt" aria-label="sent"><IconCheck size={14} /></span>)}
                      {last ? listTime(last) : ""}
                    </span>
                  </span>
                  <span class="chat-bottom">
                    <span class={`chat-preview ${typing.length ? "typing" : ""}`}>
                      {typing.length ? (s.kind === "group" ? `${typing[0].name} is typing…` : "typing…") : preview(c, me.id)}
                    </span>
                    {s.unread > 0 && <span class="badge" aria-hidden="true">{s.unread > 999 ? "999+" : s.unread}</span>}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {client.ready && chats.length === 0 && (
        <div class="list-empty muted">
          {query ? "No chats match your search." : (
            <>
              <p>No conversations yet.</p>
              <button class="btn primary" onClick={() => props.onNew("direct")}>Start a chat</button>
            </>
          )}
        </div>
      )}
    </aside>
  );
}
