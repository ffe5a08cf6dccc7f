"""Message bubbles (own on the right) and centred system lines."""

from __future__ import annotations

import time
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.widget import Widget
from kivymd.uix.boxlayout import MDBoxLayout

LONG_PRESS = 0.5  # seconds held on a bubble to open its actions (a right-click opens them at once)
STATUS_ICONS = {"pending": "clock-outline", "sent": "check", "read": "check-all", "failed": "alert-circle-outline"}

Builder.load_string(
    """
<MessageBubble>:
    orientation: "vertical"
    size_hint: None, None
    padding: dp(12), dp(6), dp(12), dp(6)
    spacing: dp(2)
    md_bg_color: app.theme_cls.primaryContainerColor if root.mine else app.theme_cls.surfaceContainerHighColor
    radius: [dp(16), dp(16), dp(4), dp(16)] if root.mine else [dp(16), dp(16), dp(16), dp(4)]
    Label:
        id: sender
        text: root.sender
        font_size: sp(13)
        bold: True
        size_hint: None, None
        color: app.theme_cls.primaryColor
    Label:
        id: body
        text: root.text
        font_size: sp(15)
        italic: root.deleted
        size_hint: None, None
        color:
            app.theme_cls.onSurfaceVariantColor if root.deleted else \
            app.theme_cls.onPrimaryContainerColor if root.mine else app.theme_cls.onSurfaceColor
    BoxLayout:
        id: meta
        size_hint: None, None
        spacing: dp(4)
        Label:
            id: meta_text
            text: root.meta
            font_size: sp(11)
            size_hint: None, None
            size: self.texture_size
            pos_hint: {"center_y": .5}
            color:
                app.theme_cls.errorColor if root.status == "failed" else app.theme_cls.onSurfaceVariantColor
        MDIcon:
            id: status_icon
            icon: root.status_icon or "blank"
            font_size: sp(14)
            size_hint: None, None
            size: (dp(20), dp(16)) if root.status_icon else (0, dp(16))
            pos_hint: {"center_y": .5}
            theme_text_color: "Custom"
            text_color:
                app.theme_cls.errorColor if root.status == "failed" else \
                app.theme_cls.primaryColor if root.status == "read" else app.theme_cls.onSurfaceVariantColor

<BubbleRow>:
    size_hint_y: None
    padding: dp(12), dp(2)

<SystemLine>:
    size_hint_y: None
    height: dp(28)
    MDLabel:
        text: root.text
        halign: "center"
        font_style: "Body"
        role: "small"
        italic: True
        theme_text_color: "Custom"
        text_color: app.theme_cls.onSurfaceVariantColor
"""
)


class MessageBubble(MDBoxLayout):
    key = StringProperty("")
    text = StringProperty("")
    sender = StringProperty("")
    meta = StringProperty("")
    status = StringProperty("")
    status_icon = StringProperty("")
    mine = BooleanProperty(False)
    deleted = BooleanProperty(False)  # then ``text`` is "Message deleted", shown in italics, muted

    def on_status(self, _instance: object, status: str) -> None:
        self.status_icon = STATUS_ICONS.get(status, "")

    def fit(self, max_width: float) -> None:
        """Size to the text: as narrow as it is, wrapped at ``max_width``."""
        inner = max(dp(60), max_width - dp(24))
        body, sender, meta = self.ids.body, self.ids.sender, self.ids.meta
        for label in (body, sender, self.ids.meta_text):
            label.text_size = (None, None)
            label.texture_update()
        if body.texture_size[0] > inner:
            body.text_size = (inner, None)
            body.texture_update()
        body.size = body.texture_size
        sender.size = sender.texture_size if self.sender else (0, 0)
        sender.opacity = 1 if self.sender else 0
        meta.size = (self.ids.meta_text.texture_size[0] + self.ids.status_icon.width + dp(4), dp(16))
        content = max(body.width, sender.width, meta.width)
        meta.pos_hint = {"right": 1}
        self.width = content + dp(24)
        self.height = body.height + sender.height + meta.height + dp(12) + dp(2) * (2 if self.sender else 1)


class BubbleRow(MDBoxLayout):
    """Holds one bubble against the right edge (own) or the left edge (others).

    Fires ``on_long_press`` when the bubble is held still for :data:`LONG_PRESS` or right-clicked. The touch
    arrives late through the scroll view (after its scroll timeout), so the wait counts from the real press.
    """

    __events__ = ("on_long_press",)
    mine = BooleanProperty(False)

    def __init__(self, bubble: MessageBubble, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bubble = bubble
        self.mine = bubble.mine
        self.bind(width=lambda *_: self.refit())
        for name in ("text", "sender", "meta", "status_icon", "deleted"):
            bubble.bind(**{name: lambda *_: self.refit()})
        self.spacer = Widget()
        if bubble.mine:
            self.add_widget(self.spacer)
            self.add_widget(bubble)
        else:
            self.add_widget(bubble)
            self.add_widget(self.spacer)

    def on_long_press(self) -> None:
        pass

    def on_touch_down(self, touch: Any) -> bool:
        if not self.bubble.collide_point(*touch.pos) or getattr(touch, "is_mouse_scrolling", False):
            return bool(super().on_touch_down(touch))
        if getattr(touch, "button", "left") == "right":
            self.dispatch("on_long_press")
            return True
        touch.grab(self)
        wait = max(0.0, LONG_PRESS - (time.time() - touch.time_start))
        touch.ud[self._press_key] = Clock.schedule_once(lambda _dt: self._held(touch), wait)
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            press = touch.ud.pop(self._press_key, None)
            if press is not None:
                press.cancel()
            return True
        return bool(super().on_touch_up(touch))

    @property
    def _press_key(self) -> str:
        return f"bubble-press-{self.uid}"

    def _held(self, touch: Any) -> None:
        touch.ud.pop(self._press_key, None)
        moved = abs(touch.x - touch.ox) + abs(touch.y - touch.oy)
        if touch.time_end < 0 and moved < dp(12):  # still pressed, and not a scroll
            self.dispatch("on_long_press")

    def refit(self) -> None:
        self.bubble.fit(max(dp(120), min(dp(520), (self.width - dp(24)) * 0.78)))
        self.height = self.bubble.height + dp(4)


class SystemLine(MDBoxLayout):
    key = StringProperty("")
    text = StringProperty("")
