import { useEffect, useRef, useState } from "preact/hooks";
import type { Client } from "../client";
import type { UserOut } from "../protocol";
import { Avatar } from "./Avatar";

/** A username field with live prefix search; Enter or a click picks a user. */
export function UserPicker(props: {
  client: Client;
  label: string;
  exclude: number[];
  onPick(user: UserOut): void;
  autofocus?: boolean;
}) {
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<UserOut[]>([]);
  const [active, setActive] = useState(0);
  const [searched, setSearched] = useState(false);
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (props.autofocus) input.current?.focus();
  }, []);

  useEffect(() => {
    const prefix = query.trim().replace(/^@/, "");
    if (!prefix) {
      setResults([]);
      setSearched(false);
      return;
    }
    const mine = ++seq.current;
    const id = setTimeout(async () => {
      try {
        const found = await props.client.searchUsers(prefix);
        if (mine === seq.current) {
          setResults(found.filter((u) => !props.exclude.includes(u.id)));
          setActive(0);
          setSearched(true);
        }
      } catch {
        if (mine === seq.current) setResults([]);
      }
    }, 120);
    return () => clearTimeout(id);
  }, [query, props.exclude.join(",")]);

  const pick = (u: UserOut) => {
    props.onPick(u);
    setQuery("");
    setResults([]);
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive(Math.min(results.length - 1, active + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive(Math.max(0, active - 1));
    } else if (e.key === "Enter" && results[active]) {
      e.preventDefault();
      pick(results[active]);
    }
  };

  return (
    <div class="picker">
      <label class="field">
        <span>{props.label}</span>
        <input ref={input} value={query} placeholder="Search by username" autocomplete="off" autocapitalize="none"
          spellcheck={false} role="combobox" aria-expanded={results.length > 0} aria-controls="picker-results"
          aria-activedescendant={results[active] ? `pick-${results[active].id}` : undefined}
          onInput={(e) => setQuery(e.currentTarget.value)} onKeyDown={onKeyDown} />
      </label>
      <ul id="picker-results" class="picker-results" role="listbox">
        {results.map((u, i) => (
          <li key={u.id} id={`pick-${u.id}`} role="option" aria-selected={i === active}
            class={i === active ? "active" : ""} onMouseDown={(e) => { e.preventDefault(); pick(u); }}>
            <Avatar id={u.id} name={u.display_name || u.username} size={36} online={u.online} />
            <span class="pick-names">
              <strong>{u.display_name || u.username}</strong>
              <span class="muted small">@{u.username}</span>
            </span>
          </li>
        ))}
        {searched && results.length === 0 && query.trim() && <li class="muted small none">No users found.</li>}
      </ul>
    </div>
  );
}
