// A conversation's items → what the message list draws: day separators, the "new messages" divider,
// system notices, and messages grouped by sender.

import { dayKey } from "../format";
import { type ChatState, type Item, isDeleted } from "./chats";

export type Row =
  | { type: "day"; key: string; iso: string }
  | { type: "unread"; key: string }
  | { type: "system"; key: string; item: Item }
  | { type: "message"; key: string; item: Item; mine: boolean; first: boolean; last: boolean };

const GROUP_GAP_MS = 5 * 60_000;

export function buildRows(chat: ChatState, me: number, unreadFrom: number | null): Row[] {
  const items: Item[] = [...chat.timeline, ...chat.outbox];
  const rows: Row[] = [];
  let prevDay = "";
  let prev: Item | null = null;
  // The divider only marks a first unread message that is loaded (not merely the oldest loaded one).
  let dividerShown = unreadFrom !== null && unreadFrom < chat.from && chat.hasOlder;
  for (const item of items) {
    // A direct chat's creation says nothing the header does not.
    if (item.kind === "chat_created" && chat.summary.kind === "direct") continue;
    const day = dayKey(item.sent_at);
    let breakGroup = false;
    if (day !== prevDay) {
      rows.push({ type: "day", key: `d${day}`, iso: item.sent_at });
      prevDay = day;
      breakGroup = true;
    }
    if (
      !dividerShown &&
      unreadFrom !== null &&
      item.seq !== null &&
      item.seq >= unreadFrom &&
      item.kind === "message" &&
      !isDeleted(item) &&
      item.sender?.id !== me
    ) {
      rows.push({ type: "unread", key: "unread" });
      dividerShown = true;
      breakGroup = true;
    }
    if (item.kind !== "message") {
      rows.push({ type: "system", key: item.key, item });
      prev = null;
      continue;
    }
    const sameSender =
      !breakGroup &&
      prev !== null &&
      prev.sender?.id === item.sender?.id &&
      Date.parse(item.sent_at) - Date.parse(prev.sent_at) < GROUP_GAP_MS;
    if (sameSender) {
      const last = rows[rows.length - 1];
      if (last.type === "message") last.last = false;
    }
    rows.push({ type: "message", key: item.key, item, mine: item.sender?.id === me, first: !sameSender, last: true });
    prev = item;
  }
  return rows;
}

/** A one-line description of a non-message event ("Ann added Bob"). */
export function describe(item: Item, me: number): string {
  const who = (u: { id: number; display_name: string; username: string } | null | undefined) =>
    !u ? "Someone" : u.id === me ? "You" : u.display_name || u.username;
  const actor = who(item.sender);
  const target = item.data.user as { id: number; display_name: string; username: string } | undefined;
  switch (item.kind) {
    case "chat_created":
      return item.data.title ? `${actor} created the group “${item.data.title}”` : `${actor} started the conversation`;
    case "member_added":
      return `${actor} added ${who(target)}`;
    case "member_removed":
      return `${actor} removed ${who(target)}`;
    case "member_left":
      return `${who(target ?? item.sender)} left`;
    case "role_changed":
      return `${actor} made ${who(target)} ${item.data.role === "member" ? "a member" : `an ${item.data.role}`}`;
    case "renamed":
      return `${actor} renamed the group to “${item.data.title}”`;
    default:
      return item.kind;
  }
}

/** The chat list's preview of the last message. */
export function preview(chat: ChatState, me: number): string {
  const pending = chat.outbox[chat.outbox.length - 1];
  if (pending) return `You: ${pending.text}`;
  const last = chat.summary.last_message;
  if (!last) return chat.summary.kind === "group" ? `${chat.summary.members.length} members` : "No messages yet";
  if (isDeleted(last)) return "Message deleted";
  const text = (last.text ?? "").replace(/\s+/g, " ");
  if (last.sender?.id === me) return `You: ${text}`;
  if (chat.summary.kind === "group" && last.sender) return `${last.sender.display_name || last.sender.username}: ${text}`;
  return text;
}
