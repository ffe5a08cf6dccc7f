import { useState } from "preact/hooks";
import type { Client } from "../client";
import type { UserOut } from "../protocol";
import { Dialog } from "./Dialog";
import { IconClose } from "./icons";
import { UserPicker } from "./UserPicker";

export function NewChat(props: { client: Client; initial: "direct" | "group"; onClose(): void; onOpened(id: number): void }) {
  const { client } = props;
  const [kind, setKind] = useState(props.initial);
  const [title, setTitle] = useState("");
  const [members, setMembers] = useState<UserOut[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<{ id: number }>) => {
    setBusy(true);
    setError("");
    try {
      props.onOpened((await action()).id);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const direct = (u: UserOut) => void run(() => client.openDirect(u.username));
  const createGroup = (e: Event) => {
    e.preventDefault();
    if (!title.trim()) {
      setError("Give the group a name.");
      return;
    }
    void run(() => client.createGroup(title.trim(), members.map((m) => m.username)));
  };

  return (
    <Dialog title={kind === "direct" ? "New message" : "New group"} onClose={props.onClose}>
      <div class="tabs" role="tablist">
        <button role="tab" aria-selected={kind === "direct"} class={kind === "direct" ? "on" : ""} onClick={() => { setKind("direct"); setError(""); }}>Direct message</button>
        <button role="tab" aria-selected={kind === "group"} class={kind === "group" ? "on" : ""} onClick={() => { setKind("group"); setError(""); }}>Group</button>
      </div>
      {kind === "direct" ? (
        <div class="dialog-body">
          <UserPicker client={client} label="To" exclude={[client.me.id]} onPick={direct} autofocus />
        </div>
      ) : (
        <form class="dialog-body" onSubmit={createGroup}>
          <label class="field">
            <span>Group name</span>
            <input name="title" maxLength={100} value={title} onInput={(e) => setTitle(e.currentTarget.value)} autofocus />
          </label>
          {members.length > 0 && (
            <ul class="chips" aria-label="Members to add">
              {members.map((m) => (
                <li key={m.id} class="chip">
                  {m.display_name || m.username}
                  <button type="button" aria-label={`Remove ${m.username}`} onClick={() => setMembers(members.filter((x) => x.id !== m.id))}><IconClose size={14} /></button>
                </li>
              ))}
            </ul>
          )}
          <UserPicker client={client} label="Add members" exclude={[client.me.id, ...members.map((m) => m.id)]}
            onPick={(u) => setMembers([...members, u])} />
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={props.onClose}>Cancel</button>
            <button type="submit" class="btn primary" disabled={busy || !title.trim()}>Create group</button>
          </div>
        </form>
      )}
      <p class="form-error" role="alert">{error}</p>
    </Dialog>
  );
}
