"""A round avatar with initials and an online dot."""

from __future__ import annotations

import zlib

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivymd.uix.relativelayout import MDRelativeLayout

# Muted tones that read on both light and dark surfaces; picked by a stable hash of the name.
TONES = ["#5C6BC0", "#26A69A", "#EF6C00", "#8E24AA", "#2E7D32", "#C2185B", "#00838F", "#6D4C41"]

Builder.load_string(
    """
<Avatar>:
    size_hint: None, None
    size: dp(40), dp(40)
    canvas.before:
        Color:
            rgba: self.tone
        Ellipse:
            pos: 0, 0
            size: self.size
    MDLabel:
        text: root.initials
        halign: "center"
        valign: "middle"
        bold: True
        theme_text_color: "Custom"
        text_color: 1, 1, 1, 1
        font_style: "Title"
        role: "small"
    Widget:
        size_hint: None, None
        size: dp(12), dp(12)
        pos: root.width - dp(11), dp(-1)
        opacity: 1 if root.online else 0
        canvas:
            Color:
                rgba: app.theme_cls.surfaceColor
            Ellipse:
                pos: self.pos
                size: self.size
            Color:
                rgba: 0.2, 0.75, 0.35, 1
            Ellipse:
                pos: self.x + dp(2), self.y + dp(2)
                size: self.width - dp(4), self.height - dp(4)
"""
)


def initials_of(name: str) -> str:
    parts = [p for p in name.replace("_", " ").split() if p]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[1][0] if len(parts) > 1 else "")
    return letters.upper()


class Avatar(MDRelativeLayout):
    name = StringProperty("")
    initials = StringProperty("?")
    online = BooleanProperty(False)
    tone = ColorProperty(TONES[0])

    def on_name(self, _instance: object, name: str) -> None:
        self.initials = initials_of(name)
        self.tone = TONES[zlib.crc32(name.encode()) % len(TONES)]
