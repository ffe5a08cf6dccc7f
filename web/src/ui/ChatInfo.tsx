import { useState } from "preact/hooks";
import type { Client } from "../client";
import { lastSeen } from "../format";
import type { ChatState } from "../state/chats";
import { Avatar } from "./Avatar";
import { IconClose } from "./icons";
import { UserPicker } from "./UserPicker";

export function ChatInfo(props: { client: Client; chat: ChatState; onClose(): void; onLeft(): void }) {
  const { client, chat } = props;
  const s = chat.summary;
  const me = client.me.id;
  const manager = s.kind === "group" && (s.my_role === "owner" || s.my_role === "admin");
  const [title, setTitle] = useState(s.title);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState("");

  const attempt = async (action: () => Promise<unknown>) => {
    setError("");
    try {
      await action();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  };

  const rename = async (e: Event) => {
    e.preventDefault();
    if (title.trim() && title.trim() !== s.title && (await attempt(() => client.rename(chat.id, title.trim())))) setEditing(false);
    else if (title.trim() === s.title) setEditing(false);
  };

  const [confirmLeave, setConfirmLeave] = useState(false);
  const leave = async () => {
    if (await attempt(() => client.leave(chat.id))) props.onLeft();
  };

  const people = s.kind === "direct" ? s.members.filter((m) => m.id !== me) : s.members;
  const members = [...people].sort((a, b) => Number(b.online) - Number(a.online) || a.display_name.localeCompare(b.display_name));
  return (
    <aside class="info" aria-label="Chat details">
      <header>
        <h2>{s.kind === "group" ? "Group info" : "Profile"}</h2>
        <button class="icon-btn" onClick={props.onClose} aria-label="Close details"><IconClose /></button>
      </header>
      <div class="info-hero">
        <Avatar id={s.kind === "group" ? 1002 + chat.id : members.find((m) => m.id !== me)?.id ?? chat.id} name={s.title} size={80} />
        {editing ? (
          <form class="rename" onSubmit={rename}>
            <label class="sr-only" for="rename-input">Group name</label>
            <input id="rename-input" value={title} maxLength={100} onInput={(e) => setTitle(e.currentTarget.value)} autofocus />
            <button class="btn primary" type="submit">Save</button>
          </form>
        ) : (
          <h3>{s.title}</h3>
        )}
        {manager && !editing && <button class="link" onClick={() => { setTitle(s.title); setEditing(true); }}>Rename</button>}
      </div>
      {s.kind === "group" && <h4 class="section">{s.members.length} members</h4>}
      <ul class="members" aria-label="Members">
        {members.map((m) => (
          <li key={m.id}>
            <Avatar id={m.id} name={m.display_name || m.username} size={36} online={m.online} />
            <span class="pick-names">
              <strong>{m.display_name || m.username}{m.id === me ? " (you)" : ""}</strong>
              <span class="muted small">@{m.username} · {m.online ? "online" : lastSeen(m.last_seen)}</span>
            </span>
            {s.kind === "group" && m.role !== "member" && <span class="role">{m.role}</span>}
            {manager && m.id !== me && (s.my_role === "owner" || m.role === "member") && (
              <button class="icon-btn small" aria-label={`Remove ${m.username}`} title="Remove from group"
                onClick={() => void attempt(() => client.removeMember(chat.id, m.username))}>
                <IconClose size={16} />
              </button>
            )}
          </li>
        ))}
      </ul>
      {manager && (
        <div class="info-add">
          <UserPicker client={client} label="Add a member" exclude={s.members.map((m) => m.id)}
            onPick={(u) => void attempt(() => client.addMembers(chat.id, [u.username]))} />
        </div>
      )}
      <p class="form-error" role="alert">{error}</p>
      {s.kind === "group" &&
        (confirmLeave ? (
          <div class="confirm" role="group" aria-label="Confirm leaving">
            <p>Leave “{s.title}”? You will stop receiving its messages.</p>
            <div class="row gap">
              <button class="btn" onClick={() => setConfirmLeave(false)}>Cancel</button>
              <button class="btn danger-solid" onClick={() => void leave()} autofocus>Leave</button>
            </div>
          </div>
        ) : (
          <button class="btn danger wide" onClick={() => setConfirmLeave(true)}>Leave group</button>
        ))}
    </aside>
  );
}
