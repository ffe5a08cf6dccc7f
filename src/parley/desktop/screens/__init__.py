"""The two screens: log in, and the chat list with its conversation pane."""
