import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { Client } from "../client";
import type { ChatState } from "../state/chats";
import { IconCheck, IconClose, IconEdit, IconSend } from "./icons";

const drafts = new Map<number, string>();
const MAX_CHARS = 4000;

/** The message being edited: its seq and the text it had when editing began. */
export interface Editing {
  seq: number;
  text: string;
}

export function Composer(props: {
  client: Client;
  chat: ChatState;
  inputRef: RefObject<HTMLTextAreaElement>;
  editing: Editing | null;
  onEditDone(): void;
  /** Up-arrow in an empty box: edit our last message; returns whether there was one. */
  onEditLast(): boolean;
}) {
  const { client, chat, inputRef, editing } = props;
  const [text, setText] = useState(() => drafts.get(chat.id) ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (window.matchMedia("(pointer: fine)").matches) inputRef.current?.focus();
  }, [chat.id]);

  // Editing puts the message's text in the box (the draft waits); finishing brings the draft back.
  // A layout effect, so nothing typed can land in between.
  useLayoutEffect(() => {
    setError(null);
    if (editing) {
      setText(editing.text);
      const el = inputRef.current;
      if (el) {
        el.focus();
        requestAnimationFrame(() => el.setSelectionRange(el.value.length, el.value.length));
      }
    } else {
      setText(drafts.get(chat.id) ?? "");
    }
  }, [editing?.seq]);

  // Grow with the text up to a limit, then scroll.
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 180)}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    if (editing) {
      setError(null);
      return;
    }
    drafts.set(chat.id, value);
    client.typing(chat.id, value.trim().length > 0);
  };

  const save = async (ed: Editing) => {
    const body = text.trim();
    if (!body) {
      setError("A message needs some text. To remove it, delete it instead.");
      return;
    }
    if (body === ed.text) {
      props.onEditDone();
      return;
    }
    setSaving(true);
    try {
      await client.editMessage(chat.id, ed.seq, body);
      props.onEditDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const send = () => {
    if (saving) return;
    if (editing) {
      if (text.length <= MAX_CHARS) void save(editing);
      return;
    }
    const body = text.trim();
    if (!body || body.length > MAX_CHARS) return;
    client.send(chat.id, body);
    setText("");
    drafts.delete(chat.id);
    inputRef.current?.focus();
    document.dispatchEvent(new CustomEvent("parley:sent", { detail: chat.id }));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === "Escape" && editing) {
      // Cancel the edit, not close the chat.
      e.preventDefault();
      e.stopPropagation();
      props.onEditDone();
    } else if (e.key === "ArrowUp" && !editing && text === "" && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      if (props.onEditLast()) e.preventDefault();
    }
  };

  const over = text.length > MAX_CHARS;
  return (
    <>
      {editing && (
        <div class="edit-bar" role="status" aria-label="Editing message">
          <IconEdit size={18} />
          <span class="edit-bar-main">
            <strong>Editing message</strong>
            <span class="edit-bar-text">{editing.text.replace(/\s+/g, " ")}</span>
          </span>
          <span class="muted small edit-bar-hint">Esc to cancel</span>
          <button type="button" class="icon-btn" onClick={props.onEditDone} aria-label="Cancel editing" title="Cancel editing (Esc)">
            <IconClose size={18} />
          </button>
        </div>
      )}
      {error && (
        <div class="composer-error" role="alert">{error}</div>
      )}
      <form class={`composer ${editing ? "is-editing" : ""}`} onSubmit={(e) => { e.preventDefault(); send(); }}>
        <label class="sr-only" for="composer-input">{editing ? "Edit message" : "Message"}</label>
        <textarea
          id="composer-input"
          ref={inputRef}
          rows={1}
          placeholder={editing ? "Edit the message…" : "Write a message…"}
          value={text}
          onInput={(e) => update(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onBlur={() => client.typing(chat.id, false)}
          aria-describedby={over ? "composer-over" : undefined}
        />
        {over && <span id="composer-over" class="over">{text.length}/{MAX_CHARS}</span>}
        {editing ? (
          <button class="send" type="submit" aria-label="Save edit" title="Save (Enter)" disabled={!text.trim() || over || saving}>
            <IconCheck size={22} />
          </button>
        ) : (
          <button class="send" type="submit" aria-label="Send" disabled={!text.trim() || over}>
            <IconSend />
          </button>
        )}
      </form>
    </>
  );
}
