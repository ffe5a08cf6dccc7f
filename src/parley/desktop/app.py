"""The Kivy application: builds the screens, wires the view-model to Kivy's clock, remembers the theme."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")  # our CLI owns argv
os.environ.setdefault("KIVY_NO_FILELOG", "1")

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.metrics import dp
from kivymd.app import MDApp
from kivymd.uix.screenmanager import MDScreenManager

from .bridge import AsyncBridge
from .model import ParleyModel
from .settings import SettingsStore


def on_ui_thread(fn: object) -> None:
    """The view-model's dispatch: run ``fn`` on Kivy's main thread at the next frame."""
    Clock.schedule_once(lambda _dt: fn(), 0)  # type: ignore[operator]


class ParleyApp(MDApp):
    def __init__(self, server_url: str | None = None, config_dir: Path | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.title = "Parley"
        self.model = ParleyModel(SettingsStore(config_dir), on_ui_thread, AsyncBridge())
        if server_url:
            self.model.settings.server_url = server_url.rstrip("/")

    def build(self) -> MDScreenManager:
        from .screens.home import HomeScreen
        from .screens.login import LoginScreen

        self.theme_cls.primary_palette = "Indigo"
        self.theme_cls.theme_style_switch_animation = False  # animated switches left stale backgrounds
        self.theme_cls.theme_style = "Dark" if self.model.settings.theme == "Dark" else "Light"
        Window.minimum_width, Window.minimum_height = int(dp(320)), int(dp(480))
        self.screens = MDScreenManager()
        self.login_screen = LoginScreen(self.model, name="login")
        self.home_screen = HomeScreen(self.model, name="home")
        self.screens.add_widget(self.login_screen)
        self.screens.add_widget(self.home_screen)
        self.model.subscribe(self._changed)
        Clock.schedule_interval(lambda _dt: self.model.expire_typing(), 1.0)
        return self.screens

    def on_start(self) -> None:
        if self.model.resume():
            self.screens.current = "home"

    def on_stop(self) -> None:
        self.model.shutdown()

    def _changed(self, topic: str) -> None:
        if topic == "session":
            wanted = "home" if self.model.signed_in else "login"
            if self.screens.current != wanted:
                self.screens.current = wanted

    def toggle_theme(self) -> None:
        style = "Dark" if self.theme_cls.theme_style == "Light" else "Light"
        self.theme_cls.theme_style = style
        self.model.set_theme(style)


def run(server_url: str | None = None, config_dir: Path | None = None) -> None:
    ParleyApp(server_url=server_url, config_dir=config_dir).run()
