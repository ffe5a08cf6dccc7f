"""SQLAlchemy Core tables. Times are integer milliseconds since the epoch (UTC), the same on every dialect."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# BIGINT on PostgreSQL, INTEGER (rowid alias, so autoincrement works) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(32), nullable=False),
    Column("username_key", String(32), nullable=False, unique=True),  # lower-cased: unique case-insensitively
    Column("display_name", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_agent", String(200), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger, nullable=False),
)

chats = Table(
    "chats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # direct | group
    Column("title", String(100), nullable=True),
    Column("direct_key", String(50), nullable=True, unique=True),  # "small_id:large_id": one chat per pair
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("last_message_seq", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("last_activity_at", BigInteger, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(10), nullable=False),  # owner | admin | member
    Column("joined_at", BigInteger, nullable=False),
    Column("last_read_seq", BigInteger, nullable=False, default=0),
    # Set when the user left or was removed: the seq of that event. They may catch up to it, no further.
    Column("left_seq", BigInteger, nullable=True),
    Index("ix_members_user_id_chat_id", "user_id", "chat_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("sender_id", Id, ForeignKey("users.id"), nullable=True),
    Column("client_id", String(64), nullable=True),
    Column("text", Text, nullable=True),
    Column("data", Text, nullable=True),  # JSON
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("chat_id", "seq"),
    # Idempotent sends: one stored message per (sender, client id).
    UniqueConstraint("sender_id", "client_id"),
)
