"""Server address, username and password; log in or create an account."""

from __future__ import annotations

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivymd.uix.screen import MDScreen

from ..model import ParleyModel

Builder.load_string(
    """
<LoginField@MDTextField>:
    mode: "outlined"
    multiline: False
    write_tab: False

<LoginScreen>:
    md_bg_color: app.theme_cls.surfaceContainerLowColor
    MDIconButton:
        icon: "weather-night" if app.theme_cls.theme_style == "Light" else "weather-sunny"
        pos_hint: {"right": .99, "top": .99}
        on_release: app.toggle_theme()
    MDScrollView:
        do_scroll_x: False
        MDAnchorLayout:
            size_hint_y: None
            height: max(root.height, card.height + dp(48))
            MDCard:
                id: card
                style: "elevated"
                orientation: "vertical"
                size_hint: None, None
                width: min(dp(420), root.width - dp(32))
                height: self.minimum_height
                padding: dp(24)
                spacing: dp(14)
                radius: [dp(20)]
                md_bg_color: app.theme_cls.surfaceColor
                MDBoxLayout:
                    adaptive_height: True
                    spacing: dp(12)
                    MDIcon:
                        icon: "chat-processing"
                        theme_text_color: "Custom"
                        text_color: app.theme_cls.primaryColor
                        font_size: sp(36)
                        adaptive_size: True
                        pos_hint: {"center_y": .5}
                    MDLabel:
                        text: "Parley"
                        font_style: "Headline"
                        role: "medium"
                        adaptive_height: True
                        pos_hint: {"center_y": .5}
                MDLabel:
                    text: "Create an account" if root.registering else "Log in to your server"
                    font_style: "Body"
                    role: "large"
                    adaptive_height: True
                    theme_text_color: "Custom"
                    text_color: app.theme_cls.onSurfaceVariantColor
                LoginField:
                    id: server
                    on_text_validate: username.focus = True
                    MDTextFieldLeadingIcon:
                        icon: "server-network"
                    MDTextFieldHintText:
                        text: "Server address"
                LoginField:
                    id: username
                    on_text_validate: password.focus = True
                    MDTextFieldLeadingIcon:
                        icon: "account"
                    MDTextFieldHintText:
                        text: "Username"
                LoginField:
                    id: display_name
                    MDTextFieldLeadingIcon:
                        icon: "card-account-details-outline"
                    MDTextFieldHintText:
                        text: "Display name (optional)"
                LoginField:
                    id: password
                    password: True
                    on_text_validate: root.submit()
                    MDTextFieldLeadingIcon:
                        icon: "lock"
                    MDTextFieldHintText:
                        text: "Password"
                MDLabel:
                    id: error
                    text: root.error
                    size_hint_y: None
                    height: self.texture_size[1] if root.error else 0
                    theme_text_color: "Custom"
                    text_color: app.theme_cls.errorColor
                    font_style: "Body"
                    role: "medium"
                    opacity: 1 if root.error else 0
                MDBoxLayout:
                    adaptive_height: True
                    spacing: dp(8)
                    MDButton:
                        id: submit
                        style: "filled"
                        disabled: root.busy
                        on_release: root.submit()
                        MDButtonText:
                            text: ("Working…" if root.busy else ("Create account" if root.registering else "Log in"))
                    MDButton:
                        id: switch
                        style: "text"
                        disabled: root.busy
                        on_release: root.registering = not root.registering
                        MDButtonText:
                            text: "I have an account" if root.registering else "Create an account"
"""
)


class LoginScreen(MDScreen):
    error = StringProperty("")
    busy = BooleanProperty(False)
    registering = BooleanProperty(False)

    def __init__(self, model: ParleyModel, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.model = model
        model.subscribe(self._changed)
        self.ids.server.text = model.settings.server_url
        self.ids.username.text = model.settings.username
        self._display_field = self.ids.display_name
        self._display_field.parent.remove_widget(self._display_field)

    def on_registering(self, _instance: object, registering: bool) -> None:
        field, card = self._display_field, self.ids.card
        if registering and field.parent is None:
            card.add_widget(field, index=card.children.index(self.ids.password) + 1)
        elif not registering and field.parent is not None:
            card.remove_widget(field)

    def on_enter(self, *_args: object) -> None:
        self.ids.server.text = self.model.settings.server_url
        self.ids.username.text = self.model.settings.username or self.ids.username.text
        self.ids.password.text = ""
        self.error = self.model.error
        (self.ids.password if self.ids.username.text else self.ids.username).focus = True

    def _changed(self, topic: str) -> None:
        if topic in ("error", "session"):
            self.busy = self.model.busy
            if not self.model.signed_in:
                self.error = self.model.error

    def submit(self) -> None:
        if self.busy:
            return
        self.error = ""
        ids = self.ids
        if self.registering:
            self.model.register(ids.server.text, ids.username.text, ids.password.text, ids.display_name.text or None)
        else:
            self.model.login(ids.server.text, ids.username.text, ids.password.text)
