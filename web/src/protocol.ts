// Wire shapes of the Parley protocol (mirrors src/parley/protocol.py).

export interface UserRef {
  id: number;
  username: string;
  display_name: string;
}

export interface UserOut extends UserRef {
  online: boolean;
  last_seen: string | null;
}

export type Role = "owner" | "admin" | "member";

export interface MemberOut extends UserOut {
  role: Role;
  last_read_seq?: number;
}

export interface EventOut {
  id: number;
  chat_id: number;
  seq: number;
  kind: string;
  sender: UserRef | null;
  text: string | null;
  client_id: string | null;
  data: Record<string, any>;
  sent_at: string;
}

export interface ChatOut {
  id: number;
  kind: "direct" | "group";
  title: string;
  members: MemberOut[];
  last_seq: number;
  last_message: EventOut | null;
  unread: number;
  last_read_seq: number;
  last_activity: string;
  my_role: Role;
}

export interface AckOut {
  id: number;
  chat_id: number;
  seq: number;
  sent_at: string;
  client_id: string;
}

export interface SyncOut {
  events: EventOut[];
  removed: number[];
  has_more: boolean;
}

export interface TypingOut {
  chat_id: number;
  user: UserRef;
  typing: boolean;
  expires_in: number;
}

export interface PresenceOut {
  user_id: number;
  username: string;
  online: boolean;
  last_seen: string | null;
}

export interface AuthOut {
  token: string;
  user: UserRef;
}

export interface ErrorBody {
  code: string;
  message: string;
  retry_after?: number;
  [key: string]: unknown;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const HISTORY_PAGE = 50;
