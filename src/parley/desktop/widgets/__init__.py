"""Kivy widgets of the desktop client; each module loads its own KV rules on import."""
