"""The main screen: chat list on the left, conversation on the right (one at a time when narrow)."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.widget import Widget
from kivymd.uix.boxlayout import MDBoxLayout
from kivymd.uix.button import MDButton, MDButtonText
from kivymd.uix.menu import MDDropdownMenu
from kivymd.uix.screen import MDScreen
from kivymd.uix.snackbar import MDSnackbar, MDSnackbarText

from ..model import ParleyModel
from ..state import DELETED_TEXT, ChatRow, MessageRow
from ..timefmt import short_time
from ..widgets import avatar  # noqa: F401
from ..widgets.bubble import BubbleRow, MessageBubble, SystemLine
from ..widgets.chatlist import ChatListItem
from ..widgets.dialogs import FormDialog, member_rows, text_field

NARROW = 700  # dp: below this width one pane shows at a time
ESCAPE = 27

CONNECTION_TEXT = {
    "connected": "Connected",
    "connecting": "Connecting…",
    "offline": "Offline: reconnecting…",
    "signed_out": "Signed out",
}

Builder.load_string(
    """
<ListPane@MDBoxLayout>:
    orientation: "vertical"
    md_bg_color: app.theme_cls.surfaceContainerLowColor

<ConversationPane@MDBoxLayout>:
    orientation: "vertical"
    md_bg_color: app.theme_cls.surfaceColor

<HomeScreen>:
    md_bg_color: app.theme_cls.surfaceColor
    MDBoxLayout:
        id: body

    ListPane:
        id: list_pane
        MDBoxLayout:
            size_hint_y: None
            height: dp(64)
            padding: dp(16), 0, dp(4), 0
            MDBoxLayout:
                orientation: "vertical"
                padding: 0, dp(10)
                MDLabel:
                    text: "Parley"
                    font_style: "Title"
                    role: "large"
                    bold: True
                MDBoxLayout:
                    spacing: dp(6)
                    Widget:
                        size_hint: None, None
                        size: dp(8), dp(8)
                        pos_hint: {"center_y": .5}
                        canvas:
                            Color:
                                rgba:
                                    (0.2, 0.7, 0.35, 1) if root.connection == "connected" else \\
                                    (0.95, 0.6, 0.1, 1) if root.connection == "connecting" else (0.85, 0.2, 0.2, 1)
                            Ellipse:
                                pos: self.pos
                                size: self.size
                    MDLabel:
                        id: connection_label
                        text: root.connection_text
                        font_style: "Body"
                        role: "small"
                        theme_text_color: "Secondary"
            MDIconButton:
                icon: "weather-night" if app.theme_cls.theme_style == "Light" else "weather-sunny"
                pos_hint: {"center_y": .5}
                on_release: app.toggle_theme()
            MDIconButton:
                id: logout
                icon: "logout"
                pos_hint: {"center_y": .5}
                on_release: root.model.logout()
        MDBoxLayout:
            size_hint_y: None
            height: dp(52)
            padding: dp(12), dp(4)
            spacing: dp(8)
            MDButton:
                id: new_direct
                style: "tonal"
                on_release: root.ask_direct()
                MDButtonIcon:
                    icon: "account-plus-outline"
                MDButtonText:
                    text: "New chat"
            MDButton:
                id: new_group
                style: "tonal"
                on_release: root.ask_group()
                MDButtonIcon:
                    icon: "account-multiple-plus-outline"
                MDButtonText:
                    text: "New group"
        MDDivider:
        MDLabel:
            id: no_chats
            text: "No chats yet.\\nStart one with “New chat”."
            halign: "center"
            size_hint_y: None
            height: dp(80) if root.no_chats else 0
            opacity: 1 if root.no_chats else 0
            theme_text_color: "Secondary"
        MDScrollView:
            id: chat_scroll
            do_scroll_x: False
            MDBoxLayout:
                id: chat_list
                orientation: "vertical"
                adaptive_height: True
        MDLabel:
            text: "Signed in as " + root.me
            size_hint_y: None
            height: dp(32)
            padding: dp(16), 0
            font_style: "Body"
            role: "small"
            theme_text_color: "Secondary"

    ConversationPane:
        id: conv_pane
        MDBoxLayout:
            id: conv_header
            size_hint_y: None
            height: dp(64) if root.has_chat else 0
            opacity: 1 if root.has_chat else 0
            padding: dp(4), dp(8), dp(8), dp(8)
            spacing: dp(8)
            md_bg_color: app.theme_cls.surfaceContainerColor
            MDIconButton:
                id: back
                icon: "arrow-left"
                pos_hint: {"center_y": .5}
                opacity: 1 if root.narrow else 0
                disabled: not root.narrow
                size_hint_x: None
                width: dp(48) if root.narrow else dp(4)
                on_release: root.model.close_chat()
            Avatar:
                name: root.chat_title
                pos_hint: {"center_y": .5}
            MDBoxLayout:
                orientation: "vertical"
                MDLabel:
                    id: chat_title
                    text: root.chat_title
                    font_style: "Title"
                    role: "medium"
                    shorten: True
                MDLabel:
                    id: chat_status
                    text: root.chat_status
                    font_style: "Body"
                    role: "small"
                    theme_text_color: "Secondary"
            MDIconButton:
                id: members
                icon: "account-group-outline"
                pos_hint: {"center_y": .5}
                opacity: 1 if root.is_group else 0
                disabled: not root.is_group
                on_release: root.show_members()
        MDRelativeLayout:
            MDScrollView:
                id: message_scroll
                do_scroll_x: False
                opacity: 1 if root.has_chat else 0
                MDBoxLayout:
                    id: message_list
                    orientation: "vertical"
                    size_hint_y: None
                    height: max(self.minimum_height, message_scroll.height)
                    padding: 0, dp(8)
                    spacing: dp(2)
            MDLabel:
                id: placeholder
                text: "Pick a chat on the left, or start a new one."
                halign: "center"
                theme_text_color: "Secondary"
                opacity: 0 if root.has_chat else 1
        MDLabel:
            id: typing
            text: root.typing_text
            size_hint_y: None
            height: dp(20) if root.has_chat else 0
            padding: dp(16), 0
            font_style: "Body"
            role: "small"
            italic: True
            theme_text_color: "Secondary"
        MDBoxLayout:
            id: edit_bar
            size_hint_y: None
            height: dp(24) if root.editing else 0
            opacity: 1 if root.editing else 0
            padding: dp(20), 0
            spacing: dp(6)
            MDIcon:
                icon: "pencil-outline"
                font_size: sp(16)
                size_hint: None, None
                size: dp(18), dp(18)
                pos_hint: {"center_y": .5}
                theme_text_color: "Custom"
                text_color: app.theme_cls.primaryColor
            MDLabel:
                id: edit_notice
                text: "Editing — Esc to cancel"
                font_style: "Body"
                role: "small"
                theme_text_color: "Custom"
                text_color: app.theme_cls.primaryColor
        MDBoxLayout:
            size_hint_y: None
            height: dp(72) if root.has_chat else 0
            opacity: 1 if root.has_chat else 0
            padding: dp(12), dp(6), dp(8), dp(10)
            spacing: dp(4)
            MDTextField:
                id: composer
                mode: "outlined"
                multiline: False
                text_validate_unfocus: False
                disabled: not root.has_chat
                on_text_validate: root.send()
                on_text: root.model.typing(self.text)
                radius: [dp(24)]
                MDTextFieldHintText:
                    text: "Message"
            MDIconButton:
                id: cancel_edit
                icon: "close"
                pos_hint: {"center_y": .5}
                opacity: 1 if root.editing else 0
                disabled: not root.editing
                size_hint_x: None
                width: dp(48) if root.editing else 0
                on_release: root.cancel_edit()
            MDIconButton:
                id: send
                icon: "check" if root.editing else "send"
                style: "filled"
                pos_hint: {"center_y": .5}
                disabled: not root.has_chat
                on_release: root.send()
"""
)


class HomeScreen(MDScreen):
    connection = StringProperty("connecting")
    connection_text = StringProperty("")
    me = StringProperty("")
    no_chats = BooleanProperty(False)
    narrow = BooleanProperty(False)
    has_chat = BooleanProperty(False)
    is_group = BooleanProperty(False)
    chat_title = StringProperty("")
    chat_status = StringProperty("")
    typing_text = StringProperty("")
    editing = BooleanProperty(False)  # the composer holds a message being edited (``editing_key``)

    def __init__(self, model: ParleyModel, **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)
        self._chat_items: dict[int, ChatListItem] = {}
        self._message_widgets: dict[str, Widget] = {}
        self._shown_chat: int | None = None
        self.dialog: FormDialog | None = None
        self.menu: MDDropdownMenu | None = None
        self.editing_key: str | None = None
        self._top_spacer = Widget(size_hint_y=1)
        list_pane, conv_pane = self.ids.list_pane, self.ids.conv_pane
        self.remove_widget(list_pane)
        self.remove_widget(conv_pane)
        self.list_pane, self.conv_pane = list_pane, conv_pane
        model.subscribe(self._changed)
        Window.bind(size=lambda *_: self._layout())
        Window.bind(on_keyboard=self._key)
        self.ids.message_scroll.bind(scroll_y=self._scrolled)
        self._layout()
        for topic in ("session", "connection", "chats", "conversation"):
            self._changed(topic)

    # --- layout ---------------------------------------------------------------------------------

    def _layout(self) -> None:
        self.narrow = Window.width < dp(NARROW)
        body = self.ids.body
        body.clear_widgets()
        if self.narrow:
            self.list_pane.size_hint_x = self.conv_pane.size_hint_x = 1
            body.add_widget(self.conv_pane if self.model.conversation else self.list_pane)
        else:
            self.list_pane.size_hint_x, self.list_pane.width = None, dp(340)
            self.conv_pane.size_hint_x = 1
            body.add_widget(self.list_pane)
            body.add_widget(self.conv_pane)

    # --- model changes --------------------------------------------------------------------------

    def _changed(self, topic: str) -> None:
        model = self.model
        if topic == "connection":
            self.connection = model.connection
            self.connection_text = CONNECTION_TEXT.get(model.connection, model.connection)
        elif topic == "session":
            self.me = (model.user.display_name + "  @" + model.user.username) if model.user else ""
        elif topic == "chats":
            self._render_chats()
            self._render_header()
        elif topic == "conversation":
            self._render_header()
            self._render_conversation()
        elif topic == "older":
            self._render_conversation(keep_position=True)
        elif topic == "typing":
            self.typing_text = model.typing_text()
            self._render_header()
        elif topic == "error" and model.error and model.signed_in:
            if self.dialog is not None:
                self.dialog.show_error(model.error)
            else:
                MDSnackbar(
                    MDSnackbarText(text=model.error),
                    y=dp(24),
                    pos_hint={"center_x": 0.5},
                    size_hint_x=0.9 if self.narrow else 0.5,
                ).open()
            model.clear_error()

    def _render_chats(self) -> None:
        rows = self.model.sorted_chats()
        active = self.model.conversation.chat_id if self.model.conversation else None
        items = []
        for row in rows:
            item = self._chat_items.get(row.id)
            if item is None:
                item = ChatListItem(chat_id=row.id)
                item.bind(on_release=lambda it: self.model.open_chat(int(it.chat_id)))
                self._chat_items[row.id] = item
            item.title = row.title
            item.preview = self._preview(row)
            item.time_text = short_time(row.last_time)
            item.unread = row.unread
            item.online = row.peer is not None and self.model.is_online(row.peer.id)
            item.selected = row.id == active
            items.append(item)
        for gone in set(self._chat_items) - {r.id for r in rows}:
            del self._chat_items[gone]
        chat_list = self.ids.chat_list
        if list(reversed(chat_list.children)) != items:
            chat_list.clear_widgets()
            for item in items:
                chat_list.add_widget(item)
        self.no_chats = not rows

    @staticmethod
    def _preview(row: ChatRow) -> str:
        if not row.last_text:
            return "No messages yet"
        return f"{row.last_sender}: {row.last_text}" if row.last_sender else row.last_text

    def _render_header(self) -> None:
        chat = self.model.active_chat
        self.has_chat = self.model.conversation is not None
        self.is_group = chat is not None and chat.kind == "group"
        self.chat_title = chat.title if chat else ""
        self.chat_status = self.model.status_line()
        self.typing_text = self.model.typing_text()

    def _render_conversation(self, keep_position: bool = False) -> None:
        conv = self.model.conversation
        message_list, scroll = self.ids.message_list, self.ids.message_scroll
        if conv is None or conv.chat_id != self._shown_chat:
            self._message_widgets.clear()
            message_list.clear_widgets()
            self._shown_chat = conv.chat_id if conv else None
            if self.narrow:
                self._layout()
            self._render_chats()
            self.cancel_edit()
            if conv is None:
                return
            self.ids.composer.text = ""
            self.ids.composer.focus = True
            at_bottom = True
        else:
            at_bottom = scroll.scroll_y <= 0.02 or message_list.height <= scroll.height
        group = (self.model.active_chat or ChatRow(0, "direct", "")).kind == "group"
        widgets: list[Widget] = [self._top_spacer]  # takes the slack: a short conversation sits at the bottom
        previous_sender: int | None = None
        for row in conv.rows:
            widget = self._message_widgets.get(row.key) or self._make_row(row)
            self._message_widgets[row.key] = widget
            if isinstance(widget, BubbleRow):
                bubble = widget.bubble
                # In groups, name the sender once per run of their messages.
                first_of_run = row.sender_id != previous_sender
                bubble.sender = row.sender_name if group and not row.mine and first_of_run else ""
                bubble.status = conv.status_of(row)
                bubble.text, bubble.deleted = (DELETED_TEXT, True) if row.deleted else (row.text, False)
                bubble.meta = short_time(row.sent_at) + (
                    "  ·  not sent, tap to retry"
                    if row.status == "failed"
                    else "  ·  edited"
                    if row.edited and not row.deleted
                    else ""
                )
            previous_sender = row.sender_id if row.kind == "message" else None
            widgets.append(widget)
        if list(reversed(message_list.children)) != widgets:
            before = message_list.height
            message_list.clear_widgets()
            for widget in widgets:
                message_list.add_widget(widget)
            if keep_position:
                Clock.schedule_once(lambda _dt: self._keep_position(before), 0.05)  # after the re-layout
                return
        if at_bottom or (conv.rows and conv.rows[-1].mine and conv.rows[-1].status == "pending"):
            Clock.schedule_once(lambda _dt: setattr(scroll, "scroll_y", 0), 0)

    def _make_row(self, row: MessageRow) -> Widget:
        if row.kind != "message":
            return SystemLine(key=row.key, text=row.text)
        bubble = MessageBubble(key=row.key, text=row.text, mine=row.mine)
        widget = BubbleRow(bubble)
        widget.bind(on_touch_up=self._bubble_touched)
        widget.bind(on_long_press=lambda w: self.message_actions(w.bubble.key))
        return widget

    def _bubble_touched(self, widget: BubbleRow, touch: Any) -> bool:
        if widget.bubble.collide_point(*widget.to_widget(*touch.pos)) and widget.bubble.status == "failed":
            self.model.retry(widget.bubble.key)
            return True
        return False

    def message_actions(self, key: str) -> bool:
        """A small menu on the bubble: Edit (own messages), Delete (own; anyone's for group owners/admins)."""
        conv = self.model.conversation
        row = conv.find(key) if conv else None
        widget = self._message_widgets.get(key)
        if row is None or not isinstance(widget, BubbleRow):
            return False
        items = []
        if self.model.can_edit(row):
            items.append(
                {
                    "text": "Edit",
                    "leading_icon": "pencil-outline",
                    "on_release": lambda: self._menu_pick(self.start_edit, key),
                }
            )
        if self.model.can_delete(row):
            items.append(
                {
                    "text": "Delete",
                    "leading_icon": "delete-outline",
                    "on_release": lambda: self._menu_pick(self.ask_delete, key),
                }
            )
        if not items:
            return False
        if self.menu is not None:
            self.menu.dismiss()
        self.menu = MDDropdownMenu(caller=widget.bubble, items=items, position="bottom")
        self.menu.open()
        return True

    def _menu_pick(self, action: Any, key: str) -> None:
        if self.menu is not None:
            self.menu.dismiss()
            self.menu = None
        action(key)

    def start_edit(self, key: str) -> None:
        """Put the message in the composer; Enter saves it, Esc (or the cross) cancels."""
        conv = self.model.conversation
        row = conv.find(key) if conv else None
        if row is None or not self.model.can_edit(row):
            return
        self.editing_key, self.editing = key, True
        composer = self.ids.composer
        composer.text = row.text
        Clock.schedule_once(lambda _dt: setattr(composer, "focus", True), 0)

    def cancel_edit(self) -> None:
        if self.editing_key is not None:
            self.editing_key, self.editing = None, False
            self.ids.composer.text = ""

    def ask_delete(self, key: str) -> None:
        conv = self.model.conversation
        row = conv.find(key) if conv else None
        if row is None:
            return
        quoted = row.text if len(row.text) <= 60 else row.text[:59] + "…"
        self._open_dialog(
            FormDialog(
                "Delete message?",
                [],
                "Delete",
                lambda _values: self._delete(key),
                supporting=f"“{quoted}” will be removed for everyone in this chat.",
            )
        )

    def _delete(self, key: str) -> None:
        self.model.delete_message(key, then=self._dismiss_dialog)

    def _key(self, _window: Any, key: int, *_args: Any) -> bool:
        if key == ESCAPE and self.editing:
            self.cancel_edit()
            return True  # not Kivy's default: Esc would close the app
        return False

    def _keep_position(self, height_before: float) -> None:
        """After older messages were added above, keep the same message under the reader's eyes."""
        scroll, message_list = self.ids.message_scroll, self.ids.message_list
        added = message_list.height - height_before
        scrollable = message_list.height - scroll.height
        if scrollable > 0:
            scroll.scroll_y = max(0.0, min(1.0, 1 - added / scrollable))

    def _scrolled(self, scroll: Any, scroll_y: float) -> None:
        if scroll_y >= 0.98 and self.ids.message_list.height > scroll.height:
            self.model.load_older()

    # --- actions --------------------------------------------------------------------------------

    def send(self) -> None:
        composer = self.ids.composer
        if self.editing_key is not None:
            if self.model.edit_message(self.editing_key, composer.text):
                self.cancel_edit()
        elif self.model.send(composer.text) is not None:
            composer.text = ""
        Clock.schedule_once(lambda _dt: setattr(composer, "focus", True), 0)

    def _open_dialog(self, dialog: FormDialog) -> None:
        self.dialog = dialog
        dialog.bind(on_dismiss=lambda *_: setattr(self, "dialog", None))
        dialog.open()

    def ask_direct(self) -> None:
        name = text_field("Username", "account-search")
        self._open_dialog(
            FormDialog(
                "New chat",
                [name],
                "Open",
                lambda values: self.model.start_direct(values[0], then=self._dismiss_dialog),
                supporting="Start a direct conversation with someone on this server.",
            )
        )

    def ask_group(self) -> None:
        title = text_field("Group name", "account-group")
        members = text_field("Members (usernames, comma separated)", "account-multiple-plus")

        def create(values: list[str]) -> None:
            self.model.create_group(values[0], values[1].replace(";", ",").split(","), then=self._dismiss_dialog)

        self._open_dialog(FormDialog("New group", [title, members], "Create", create))

    def show_members(self) -> None:
        chat, model = self.model.active_chat, self.model
        if chat is None:
            return
        can_manage = chat.my_role in ("owner", "admin")
        online = {m.id for m in chat.members if model.is_online(m.id)}
        me = model.user.id if model.user else None
        rows = member_rows(chat.members, me, chat.my_role, self._remove_member, self._make_owner, online)
        leave = MDBoxLayout(adaptive_height=True)
        leave_button = MDButton(MDButtonText(text="Leave group"), style="outlined")
        leave_button.bind(on_release=lambda *_: self._leave())
        leave.add_widget(leave_button)
        fields = [text_field("Add member by username", "account-plus")] if can_manage else []
        self._open_dialog(
            FormDialog(
                chat.title,
                fields,
                "Add" if can_manage else None,
                lambda values: model.add_member(values[0], then=self._refresh_members),
                supporting=f"{len(chat.members)} members",
                extra=[rows, leave],
            )
        )

    def _leave(self) -> None:
        self.model.leave_chat()
        self._dismiss_dialog()

    def _remove_member(self, username: str) -> None:
        self.model.remove_member(username)
        Clock.schedule_once(lambda _dt: self._refresh_members(), 0.5)

    def _make_owner(self, username: str) -> None:
        self.model.set_role(username, "owner")
        Clock.schedule_once(lambda _dt: self._refresh_members(), 0.5)

    def _refresh_members(self) -> None:
        self._dismiss_dialog()
        self.show_members()

    def _dismiss_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.dismiss()
            self.dialog = None
