// The HTTP half of the protocol: accounts (register, login, logout).

import type { AuthOut, ErrorBody } from "./protocol";

export class ApiError extends Error {
  constructor(
    public code: string,
    message: string,
    public details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

async function call<T>(path: string, body?: unknown, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method: "POST",
      headers: {
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError("connection_lost", "Cannot reach the server. Check your connection.");
  }
  if (response.status === 204) return undefined as T;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const error: ErrorBody | undefined = payload?.error;
    throw new ApiError(error?.code ?? "error", error?.message ?? `request failed (${response.status})`, error ?? {});
  }
  return payload as T;
}

export function register(username: string, password: string, display_name: string): Promise<AuthOut> {
  return call("/register", { username, password, display_name: display_name || null });
}

export function login(username: string, password: string): Promise<AuthOut> {
  return call("/login", { username, password });
}

export function logout(token: string): Promise<void> {
  return call("/logout", undefined, token);
}

/** A user-facing sentence for an account error. */
export function describeAuthError(err: unknown): string {
  if (!(err instanceof ApiError)) return "Something went wrong. Please try again.";
  switch (err.code) {
    case "username_taken":
      return "That username is taken. Try another one.";
    case "weak_password":
      return err.message ? capitalize(err.message) + "." : "That password is too weak.";
    case "invalid_credentials":
      return "Wrong username or password.";
    case "rate_limited": {
      const wait = Number(err.details.retry_after ?? 0);
      return wait > 0
        ? `Too many attempts. Try again in ${Math.ceil(wait)} second${Math.ceil(wait) === 1 ? "" : "s"}.`
        : "Too many attempts. Try again later.";
    }
    case "account_disabled":
      return "This account is disabled.";
    case "invalid_payload":
      return "Usernames are 3–32 letters, digits, dots, dashes or underscores.";
    default:
      return capitalize(err.message);
  }
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
