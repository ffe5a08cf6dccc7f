"""Parley's desktop client (Kivy + KivyMD) on top of the SDK.

``model`` (the view-model), ``bridge`` and ``settings`` import no Kivy: tests drive them without a window.
``app``, ``screens`` and ``widgets`` are the Kivy side; install them with ``pip install 'parley-chat[desktop]'``.
"""
