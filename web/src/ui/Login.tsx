import { useState } from "preact/hooks";
import * as api from "../api";
import type { AuthOut } from "../protocol";
import { Logo } from "./icons";

const USERNAME = /^[A-Za-z0-9_.\-]{3,32}$/;

export function Login(props: { onSignedIn(auth: AuthOut): void; notice?: string }) {
  const [mode, setMode] = useState<"login" | "register">("login");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const registering = mode === "register";

  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    if (registering && !USERNAME.test(username)) {
      setError("Usernames are 3–32 letters, digits, dots, dashes or underscores.");
      return;
    }
    if (registering && password.length < 8) {
      setError("Passwords need at least 8 characters.");
      return;
    }
    setBusy(true);
    try {
      const auth = registering
        ? await api.register(username.trim(), password, displayName.trim())
        : await api.login(username.trim(), password);
      props.onSignedIn(auth);
    } catch (err) {
      setError(api.describeAuthError(err));
      setBusy(false);
    }
  };

  const switchMode = () => {
    setMode(registering ? "login" : "register");
    setError("");
  };

  return (
    <main class="auth">
      <form class="auth-card" onSubmit={submit} aria-labelledby="auth-title" noValidate>
        <div class="auth-brand">
          <Logo size={56} />
          <h1 id="auth-title">{registering ? "Create your account" : "Sign in to Parley"}</h1>
          <p class="muted">{registering ? "Pick a username people can find you by." : "Welcome back."}</p>
        </div>
        {props.notice && !error && <p class="notice" role="status">{props.notice}</p>}
        <label class="field">
          <span>Username</span>
          <input name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required
            value={username} onInput={(e) => setUsername(e.currentTarget.value)} autofocus />
        </label>
        {registering && (
          <label class="field">
            <span>Display name <em class="muted">(optional)</em></span>
            <input name="display_name" autocomplete="name" maxLength={64}
              value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
          </label>
        )}
        <label class="field">
          <span>Password</span>
          <input name="password" type="password" required minLength={registering ? 8 : undefined}
            autocomplete={registering ? "new-password" : "current-password"}
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {registering && <p class="hint muted">At least 8 characters.</p>}
        <p class="form-error" role="alert" aria-live="assertive">{error}</p>
        <button class="btn primary wide" type="submit" disabled={busy || !username || !password}>
          {busy ? "Please wait…" : registering ? "Create account" : "Sign in"}
        </button>
        <p class="auth-switch">
          {registering ? "Already have an account?" : "New to Parley?"}{" "}
          <button type="button" class="link" onClick={switchMode}>
            {registering ? "Sign in" : "Create an account"}
          </button>
        </p>
      </form>
    </main>
  );
}
