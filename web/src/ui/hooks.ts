import { useEffect, useReducer } from "preact/hooks";
import type { ChatStore } from "../state/chats";

/** Re-render whenever the store changes. */
export function useStore(store: ChatStore): number {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump()), [store]);
  return store.version;
}

/** Re-render every `ms` (relative times such as "last seen 5 min ago"). */
export function useTick(ms: number): void {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => {
    const id = setInterval(() => bump(), ms);
    return () => clearInterval(id);
  }, [ms]);
}
