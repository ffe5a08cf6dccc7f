import { describe, expect, it } from "vitest";
import { ApiError, describeAuthError } from "./api";

describe("account errors", () => {
  it("explains each failure a person can act on", () => {
    expect(describeAuthError(new ApiError("username_taken", "this username is taken"))).toMatch(/taken/);
    expect(describeAuthError(new ApiError("invalid_credentials", "wrong username or password"))).toBe(
      "Wrong username or password.",
    );
    expect(describeAuthError(new ApiError("weak_password", "passwords need at least 8 characters"))).toBe(
      "Passwords need at least 8 characters.",
    );
    expect(describeAuthError(new ApiError("rate_limited", "too many", { retry_after: 41.2 }))).toBe(
      "Too many attempts. Try again in 42 seconds.",
    );
    expect(describeAuthError(new Error("boom"))).toMatch(/went wrong/);
  });
});
