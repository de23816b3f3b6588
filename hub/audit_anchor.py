"""The audit chain's head, kept outside the table: a signed file rewritten on every append.

A chain of MACs shows any altered or removed entry, except the newest ones: delete the last
entries (or all of them) and what remains still links up. The anchor names the newest
entry (sequence number, MAC, time, key epoch), signed with the audit key, so `verify`
reports a table that ends before the anchor as truncated. It is written after the
transaction commits (a rolled-back entry never reaches it) and only moves forward, under a
file lock, so several processes on one host keep it right. `/metrics` exports its sequence
number (`mamori_audit_head_seq`), so a monitoring system keeps a copy beyond the host.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.keys import Keyring, derive

INFO_PATH = "audit_anchor"  # the anchor file a session writes (absent: none)
_PENDING = "audit_anchor_pending"


class AnchorError(Exception):
    """An anchor file that is unreadable or whose signature does not verify."""


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    mac: str
    at: str
    key_id: str

    def payload(self) -> bytes:
        return orjson.dumps(
            {"seq": self.seq, "mac": self.mac, "at": self.at, "key_id": self.key_id},
            option=orjson.OPT_SORT_KEYS,
        )


def _signature(secret: bytes, anchor: Anchor) -> str:
    return hmac.new(derive(secret, "audit anchor"), anchor.payload(), hashlib.sha256).hexdigest()


def read(path: Path, keyring: Keyring) -> Anchor | None:
    """The anchor in `path`, None when there is none; AnchorError when it does not verify."""
    try:
        doc = orjson.loads(path.read_bytes())
        anchor = Anchor(int(doc["seq"]), str(doc["mac"]), str(doc["at"]), str(doc["key_id"]))
        signature = str(doc["sig"])
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"the audit anchor {path} is unreadable ({type(exc).__name__})") from None
    secret = keyring.secret_of(anchor.key_id)
    if secret is None:
        raise AnchorError(f"the audit anchor is signed with unknown key epoch {anchor.key_id}")
    if not hmac.compare_digest(signature, _signature(secret, anchor)):
        raise AnchorError("the audit anchor's signature does not verify")
    return anchor


def head_seq(path: Path, keyring: Keyring) -> int:
    """For the metric: the anchored sequence number, 0 without an anchor, -1 when it is bad."""
    try:
        anchor = read(path, keyring)
    except AnchorError:
        return -1
    return 0 if anchor is None else anchor.seq


def write(path: Path, keyring: Keyring, anchor: Anchor) -> bool:
    """Replace the anchor with `anchor` unless it already names a later entry; True if moved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(AnchorError):
            current = read(path, keyring)
            if current is not None and current.seq >= anchor.seq:
                return False
        secret = keyring.secret_of(anchor.key_id) or keyring.current
        doc = orjson.loads(anchor.payload()) | {"sig": _signature(secret, anchor)}
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(orjson.dumps(doc))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return True
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)


def pending(info: dict[str, Any], anchor: Anchor) -> None:
    """Remember the session's newest entry; it is anchored when the transaction commits."""
    if isinstance(info.get(INFO_PATH), Path):
        info[_PENDING] = anchor


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    anchor = session.info.pop(_PENDING, None)
    path = session.info.get(INFO_PATH)
    keyring = session.info.get("keyring")
    if isinstance(anchor, Anchor) and isinstance(path, Path) and isinstance(keyring, Keyring):
        write(path, keyring, anchor)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
