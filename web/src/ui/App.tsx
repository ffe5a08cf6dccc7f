import { useState } from "preact/hooks";
import * as api from "../api";
import type { AuthOut } from "../protocol";
import { Login } from "./Login";
import { Shell } from "./Shell";

const SESSION_KEY = "parley.session";

function loadSession(): AuthOut | null {
  try {
    const saved = JSON.parse(localStorage.getItem(SESSION_KEY) ?? "null");
    return saved && typeof saved.token === "string" && saved.user ? saved : null;
  } catch {
    return null;
  }
}

export function App() {
  const [session, setSession] = useState<AuthOut | null>(loadSession);
  const [notice, setNotice] = useState("");

  const signedIn = (auth: AuthOut) => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(auth));
    setNotice("");
    setSession(auth);
  };

  const signOut = async (revoke: boolean, reason?: string) => {
    const token = session?.token;
    setNotice(reason ?? "");
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    localStorage.removeItem(SESSION_KEY);
    if (session) localStorage.removeItem(`parley.outbox.${session.user.id}`);
    setSession(null);
    if (revoke && token) await api.logout(token).catch(() => undefined);
  };

  if (!session) return <Login onSignedIn={signedIn} notice={notice} />;
  return <Shell key={session.token} session={session} onSignOut={signOut} />;
}
