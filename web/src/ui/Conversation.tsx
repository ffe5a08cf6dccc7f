import { useEffect, useRef, useState } from "preact/hooks";
import type { Client } from "../client";
import { lastSeen, plural } from "../format";
import type { ChatState } from "../state/chats";
import { Avatar } from "./Avatar";
import { ChatInfo } from "./ChatInfo";
import { Composer } from "./Composer";
import { useTick } from "./hooks";
import { IconBack, IconInfo } from "./icons";
import { MessageList } from "./MessageList";

export function Conversation(props: { client: Client; chat: ChatState; onBack(): void; onLeft(): void }) {
  const { client, chat } = props;
  const s = chat.summary;
  const me = client.me.id;
  const [info, setInfo] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
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
        if (info) setInfo(false);
        else props.onBack();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [info]);

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
          <MessageList client={client} chat={chat} />
          <Composer client={client} chat={chat} inputRef={composer} />
        </div>
        {info && <ChatInfo client={client} chat={chat} onClose={() => setInfo(false)} onLeft={props.onLeft} />}
      </div>
    </section>
  );
}
