import { useEffect, useMemo, useState } from "preact/hooks";
import { Client } from "../client";
import type { AuthOut, EventOut } from "../protocol";
import { ChatList } from "./ChatList";
import { Conversation } from "./Conversation";
import { useStore } from "./hooks";
import { Logo } from "./icons";
import { NewChat } from "./NewChat";

const ASKED_KEY = "parley.notifications-asked";

function chatFromHash(): number | null {
  const match = /^#\/chat\/(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

export function Shell(props: { session: AuthOut; onSignOut(revoke: boolean, reason?: string): void }) {
  // The open chat lives in the URL (#/chat/12): reload keeps it, the browser's Back button closes it.
  const [openId, setOpenId] = useState<number | null>(chatFromHash);
  const [dialog, setDialog] = useState<"direct" | "group" | null>(null);
  const [notice, setNotice] = useState("");
  const client = useMemo(
    () =>
      new Client(props.session.token, props.session.user, {
        onSessionEnded: () => props.onSignOut(false, "Your session has ended. Please sign in again."),
        onNotice: (text) => setNotice(text),
        onMessage: (ev) => notify(ev),
      }),
    [props.session.token],
  );
  useEffect(() => () => client.close(), [client]);
  useStore(client.store);
  const store = client.store;

  // A chat we were removed from disappears; close it.
  const open = openId !== null ? store.get(openId) : undefined;
  useEffect(() => {
    if (openId !== null && client.ready && !open) closeChat();
  }, [openId, open, client.ready]);

  useEffect(() => {
    const onPop = () => setOpenId(chatFromHash());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // The title shows the unread count while the tab is in the background.
  const unread = store.totalUnread();
  useEffect(() => {
    const update = () => {
      document.title = unread > 0 && document.hidden ? `(${unread}) Parley` : "Parley";
    };
    update();
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, [unread]);

  useEffect(() => {
    if (!notice) return;
    const id = setTimeout(() => setNotice(""), 5000);
    return () => clearTimeout(id);
  }, [notice]);

  // Desktop notifications: asked once, on the first interaction after signing in.
  useEffect(() => {
    if (typeof Notification === "undefined" || Notification.permission !== "default" || localStorage.getItem(ASKED_KEY)) return;
    const ask = () => {
      localStorage.setItem(ASKED_KEY, "1");
      void Notification.requestPermission().catch(() => undefined);
    };
    window.addEventListener("pointerdown", ask, { once: true });
    return () => window.removeEventListener("pointerdown", ask);
  }, []);

  function notify(ev: EventOut) {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
    if (!document.hidden && document.hasFocus()) return;
    const chat = client.store.get(ev.chat_id);
    const sender = ev.sender?.display_name || ev.sender?.username || "Someone";
    const title = chat?.summary.kind === "group" ? `${sender} · ${chat.summary.title}` : sender;
    try {
      const n = new Notification(title, { body: ev.text ?? "", tag: `chat-${ev.chat_id}` });
      n.onclick = () => {
        window.focus();
        openChat(ev.chat_id);
        n.close();
      };
    } catch {
      /* some platforms only allow notifications from a service worker */
    }
  }

  function openChat(id: number) {
    if (id === openId) return;
    if (chatFromHash() !== null) history.replaceState(history.state, "", `#/chat/${id}`);
    else history.pushState({ parley: "chat" }, "", `#/chat/${id}`);
    setOpenId(id);
  }

  function closeChat() {
    if (history.state?.parley === "chat") {
      history.back(); // popstate closes it, and the browser's Forward reopens it
      return;
    }
    if (chatFromHash() !== null) history.replaceState(null, "", location.pathname + location.search);
    setOpenId(null);
  }

  return (
    <div class={`shell ${open ? "has-chat" : ""}`}>
      {client.state !== "online" && (
          <div class={`banner ${client.state}`} role="status">
            {client.state === "offline" ? (
              <>
                <span>
                  {navigator.onLine === false
                    ? "You are offline. Messages will be sent when the connection is back."
                    : "Can’t reach the server. Reconnecting… messages will be sent once connected."}
                </span>
                <button class="link" onClick={() => client.reconnectNow()}>Retry now</button>
              </>
            ) : (
              <span>Connecting…</span>
            )}
          </div>
        )}
      <ChatList
        client={client}
        openId={openId}
        onOpen={openChat}
        onNew={(kind) => setDialog(kind)}
        onSignOut={() => props.onSignOut(true)}
      />
      <main class="pane" aria-label="Conversation">
        {open ? (
          <Conversation key={open.id} client={client} chat={open} onBack={closeChat} onLeft={closeChat} />
        ) : (
          <div class="empty-pane">
            <Logo size={64} />
            <h2>Parley</h2>
            <p class="muted">Pick a chat on the left, or start a new one.</p>
            <div class="row gap">
              <button class="btn primary" onClick={() => setDialog("direct")}>New message</button>
              <button class="btn" onClick={() => setDialog("group")}>New group</button>
            </div>
          </div>
        )}
      </main>
      {dialog && (
        <NewChat
          client={client}
          initial={dialog}
          onClose={() => setDialog(null)}
          onOpened={(id) => {
            setDialog(null);
            openChat(id);
          }}
        />
      )}
      {notice && (
        <div class="toast" role="status">
          {notice}
        </div>
      )}
    </div>
  );
}
