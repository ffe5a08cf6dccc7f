// Formatting helpers: times, days, initials, avatar colours and safe link detection.

const DAY = 86_400_000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "Today", "Yesterday", a weekday this week, or a date. */
export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const diff = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (diff === 0) return "Today";
  if (diff === 1) return "Yesterday";
  if (diff > 1 && diff < 7) return d.toLocaleDateString(undefined, { weekday: "long" });
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleDateString(undefined, { day: "numeric", month: "long", ...(sameYear ? {} : { year: "numeric" }) });
}

/** The chat list's compact time: a time today, a weekday this week, else a short date. */
export function listTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const diff = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (diff === 0) return timeOfDay(iso);
  if (diff > 0 && diff < 7) return d.toLocaleDateString(undefined, { weekday: "short" });
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export function lastSeen(iso: string | null, now = new Date()): string {
  if (!iso) return "offline";
  const d = new Date(iso);
  const mins = Math.floor((now.getTime() - d.getTime()) / 60_000);
  if (mins < 1) return "last seen just now";
  if (mins < 60) return `last seen ${mins} min ago`;
  const day = dayLabel(iso, now);
  if (day === "Today") return `last seen at ${timeOfDay(iso)}`;
  return `last seen ${day.toLowerCase() === "yesterday" ? "yesterday" : day} at ${timeOfDay(iso)}`;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "?";
  const first = [...words[0]][0] ?? "";
  const second = words.length > 1 ? ([...words[words.length - 1]][0] ?? "") : "";
  return (first + second).toUpperCase();
}

const PALETTE = ["#e17076", "#f5a35b", "#a695e7", "#7bc862", "#6ec9cb", "#65aadd", "#ee7aae", "#d4a43c"];

export function avatarColor(id: number): string {
  return PALETTE[(Math.abs(id) * 5 + 1) % PALETTE.length];
}

export type Segment = { text: string; href?: string };

const LINK = /\b((?:https?:\/\/|www\.)[^\s<>"']+)/gi;

/** Split text into plain segments and links (http/https only); the UI renders both as text nodes. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    // Trailing punctuation usually ends the sentence, not the link.
    const trail = url.match(/[.,;:!?)\]]+$/);
    if (trail && !(trail[0].startsWith(")") && url.includes("("))) url = url.slice(0, -trail[0].length);
    const start = match.index!;
    if (start > last) out.push({ text: text.slice(last, start) });
    const href = url.toLowerCase().startsWith("www.") ? `https://${url}` : url;
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
