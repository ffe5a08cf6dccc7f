import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { Client } from "../client";
import type { ChatState } from "../state/chats";
import { IconSend } from "./icons";

const drafts = new Map<number, string>();
const MAX_CHARS = 4000;

export function Composer(props: { client: Client; chat: ChatState; inputRef: RefObject<HTMLTextAreaElement> }) {
  const { client, chat, inputRef } = props;
  const [text, setText] = useState(() => drafts.get(chat.id) ?? "");

  useEffect(() => {
    if (window.matchMedia("(pointer: fine)").matches) inputRef.current?.focus();
  }, [chat.id]);

  // Grow with the text up to a limit, then scroll.
  useLayoutEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 180)}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    drafts.set(chat.id, value);
    client.typing(chat.id, value.trim().length > 0);
  };

  const send = () => {
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
    }
  };

  const over = text.length > MAX_CHARS;
  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send(); }}>
      <label class="sr-only" for="composer-input">Message</label>
      <textarea
        id="composer-input"
        ref={inputRef}
        rows={1}
        placeholder="Write a message…"
        value={text}
        onInput={(e) => update(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => client.typing(chat.id, false)}
        aria-describedby={over ? "composer-over" : undefined}
      />
      {over && <span id="composer-over" class="over">{text.length}/{MAX_CHARS}</span>}
      <button class="send" type="submit" aria-label="Send" disabled={!text.trim() || over}>
        <IconSend />
      </button>
    </form>
  );
}
