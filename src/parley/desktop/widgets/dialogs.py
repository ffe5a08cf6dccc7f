"""Small forms in KivyMD 2 dialogs: new direct chat, new group, group members."""

from __future__ import annotations

from collections.abc import Callable

from kivy.metrics import dp
from kivy.uix.widget import Widget
from kivymd.uix.boxlayout import MDBoxLayout
from kivymd.uix.button import MDButton, MDButtonText, MDIconButton
from kivymd.uix.dialog import (
    MDDialog,
    MDDialogButtonContainer,
    MDDialogContentContainer,
    MDDialogHeadlineText,
    MDDialogSupportingText,
)
from kivymd.uix.label import MDLabel
from kivymd.uix.textfield import MDTextField, MDTextFieldHintText, MDTextFieldLeadingIcon

from ...client import Member


def text_field(hint: str, icon: str) -> MDTextField:
    return MDTextField(
        MDTextFieldLeadingIcon(icon=icon),
        MDTextFieldHintText(text=hint),
        mode="outlined",
        multiline=False,
    )


class FormDialog(MDDialog):
    """A dialog with text fields, an error line and Cancel / confirm buttons."""

    def __init__(
        self,
        title: str,
        fields: list[MDTextField],
        confirm: str | None,
        on_confirm: Callable[[list[str]], None],
        supporting: str = "",
        extra: list[Widget] | None = None,
    ) -> None:
        self.fields = fields
        self.error_label = MDLabel(
            text="", theme_text_color="Custom", font_style="Body", role="medium", size_hint_y=None, height=0
        )
        self.error_label.bind(texture_size=lambda label, size: setattr(label, "height", size[1] if label.text else 0))
        self.confirm_button = MDButton(MDButtonText(text=confirm or ""), style="text")
        self.confirm_button.bind(on_release=lambda *_: on_confirm([f.text for f in fields]))
        cancel = MDButton(MDButtonText(text="Close" if extra else "Cancel"), style="text")
        buttons: list[Widget] = [Widget(), cancel] + ([self.confirm_button] if confirm else [])
        cancel.bind(on_release=lambda *_: self.dismiss())
        parts: list[Widget] = [MDDialogHeadlineText(text=title)]
        if supporting:
            parts.append(MDDialogSupportingText(text=supporting))
        content = MDDialogContentContainer(orientation="vertical", spacing=dp(12))
        for widget in [*(extra or []), *fields, self.error_label]:
            content.add_widget(widget)
        parts.append(content)
        parts.append(MDDialogButtonContainer(*buttons, spacing=dp(8)))
        super().__init__(*parts)
        if fields:
            fields[-1].bind(on_text_validate=lambda *_: on_confirm([f.text for f in fields]))

    def on_open(self) -> None:
        if self.fields:
            self.fields[0].focus = True

    def show_error(self, message: str) -> None:
        self.error_label.text_color = self.theme_cls.errorColor
        self.error_label.text = message


def member_rows(
    members: list[Member],
    me_id: int | None,
    my_role: str,
    remove: Callable[[str], None],
    make_owner: Callable[[str], None],
    online: set[int],
) -> MDBoxLayout:
    """One line per member: name, role, presence; remove (owners, admins) and make-owner (owners) buttons."""
    can_manage = my_role in ("owner", "admin")
    box = MDBoxLayout(orientation="vertical", adaptive_height=True, spacing=dp(2))
    for member in sorted(members, key=lambda m: (m.role != "owner", m.display_name.lower())):
        row = MDBoxLayout(size_hint_y=None, height=dp(44), spacing=dp(8))
        status = "online" if member.id in online else "offline"
        you = " (you)" if member.id == me_id else ""
        row.add_widget(
            MDLabel(text=f"{member.display_name}{you}  ·  @{member.username}", shorten=True, font_style="Body")
        )
        row.add_widget(
            MDLabel(
                text=f"{member.role} · {status}",
                adaptive_width=True,
                font_style="Body",
                role="small",
                theme_text_color="Secondary",
            )
        )
        if my_role == "owner" and member.role != "owner":
            crown = MDIconButton(icon="crown-outline")
            crown.bind(on_release=lambda _b, name=member.username: make_owner(name))
            row.add_widget(crown)
        if can_manage and member.id != me_id:
            button = MDIconButton(icon="account-remove-outline")
            button.bind(on_release=lambda _b, name=member.username: remove(name))
            row.add_widget(button)
        box.add_widget(row)
    return box
