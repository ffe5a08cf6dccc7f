"""One row of the chat list: avatar, title, last message, time and unread badge."""

from __future__ import annotations

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivymd.uix.boxlayout import MDBoxLayout

from . import avatar  # noqa: F401  (registers Avatar for the KV below)

Builder.load_string(
    """
<ChatListItem>:
    size_hint_y: None
    height: dp(72)
    padding: dp(12), dp(10)
    spacing: dp(12)
    md_bg_color: app.theme_cls.secondaryContainerColor if self.selected else app.theme_cls.surfaceContainerLowColor
    Avatar:
        name: root.title
        online: root.online
        pos_hint: {"center_y": .5}
    MDBoxLayout:
        orientation: "vertical"
        spacing: dp(2)
        MDBoxLayout:
            spacing: dp(8)
            MDLabel:
                text: root.title
                font_style: "Title"
                role: "small"
                bold: root.unread > 0
                shorten: True
                shorten_from: "right"
            MDLabel:
                text: root.time_text
                font_style: "Body"
                role: "small"
                adaptive_width: True
                halign: "right"
                theme_text_color: "Custom"
                text_color: app.theme_cls.primaryColor if root.unread else app.theme_cls.onSurfaceVariantColor
        MDBoxLayout:
            spacing: dp(8)
            MDLabel:
                text: root.preview
                font_style: "Body"
                role: "medium"
                shorten: True
                shorten_from: "right"
                theme_text_color: "Custom"
                text_color: app.theme_cls.onSurfaceVariantColor
            Label:
                id: badge
                text: str(root.unread) if root.unread < 100 else "99+"
                opacity: 1 if root.unread else 0
                size_hint: None, None
                size: (max(dp(22), self.texture_size[0] + dp(12)), dp(22)) if root.unread else (0, dp(22))
                pos_hint: {"center_y": .5}
                font_size: sp(12)
                bold: True
                color: app.theme_cls.onPrimaryColor
                canvas.before:
                    Color:
                        rgba: app.theme_cls.primaryColor if root.unread else (0, 0, 0, 0)
                    RoundedRectangle:
                        pos: self.pos
                        size: self.size
                        radius: [dp(11)]
"""
)


class ChatListItem(ButtonBehavior, MDBoxLayout):
    chat_id = NumericProperty(0)
    title = StringProperty("")
    preview = StringProperty("")
    time_text = StringProperty("")
    unread = NumericProperty(0)
    online = BooleanProperty(False)
    selected = BooleanProperty(False)
