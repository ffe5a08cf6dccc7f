"""Parley: a self-hosted real-time chat."""

__version__ = "0.1.0"
