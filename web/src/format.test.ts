import { describe, expect, it } from "vitest";
import { dayLabel, initials, linkify } from "./format";

describe("linkify", () => {
  it("finds http(s) and www links and leaves the rest as text", () => {
    expect(linkify("see https://example.com/x?a=1, ok")).toEqual([
      { text: "see " },
      { text: "https://example.com/x?a=1", href: "https://example.com/x?a=1" },
      { text: ", ok" },
    ]);
    expect(linkify("www.parley.chat.")).toEqual([{ text: "www.parley.chat", href: "https://www.parley.chat" }, { text: "." }]);
  });

  it("never makes links of other schemes or markup", () => {
    for (const text of ["javascript:alert(1)", '<a href="https://x">y</a>', "data:text/html,<script>"]) {
      const segs = linkify(text);
      expect(segs.map((s) => s.text).join("")).toBe(text);
      for (const s of segs) if (s.href) expect(s.href).toMatch(/^https?:\/\//);
    }
  });
});

describe("names and days", () => {
  it("makes initials", () => {
    expect(initials("Alice Martin")).toBe("AM");
    expect(initials("bob")).toBe("B");
    expect(initials("  ")).toBe("?");
  });

  it("labels days relative to now", () => {
    const now = new Date(2024, 4, 10, 12);
    expect(dayLabel(new Date(2024, 4, 10, 8).toISOString(), now)).toBe("Today");
    expect(dayLabel(new Date(2024, 4, 9, 23).toISOString(), now)).toBe("Yesterday");
  });
});
