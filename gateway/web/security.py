"""Passwords, signed session cookies, CSRF tokens and the login rate limit of the console.

The cookie carries a random token and its HMAC under the console's key; the database keeps only
the token's SHA-256 (``gateway.store.console``), so neither a copy of the database nor a forged
cookie opens a session.  Passwords are argon2id hashes (argon2-cffi's defaults).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.errors import ConfigError

_HASHER = PasswordHasher()
KEY_BYTES = 32


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so a wrong name costs the same time.
_DECOY = hash_password(secrets.token_urlsafe(16))


def verify_or_decoy(password_hash: str | None, password: str) -> bool:
    return verify_password(password_hash or _DECOY, password) and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(token: str, key: bytes) -> str:
    mac = hmac.new(key, token.encode(), hashlib.sha256).digest()
    return f"{token}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(value: str, key: bytes) -> str | None:
    token = value.rpartition(".")[0]
    if not token or not hmac.compare_digest(sign(token, key), value):
        return None
    return token


def same_token(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def load_or_create_key(path: Path) -> bytes:
    """The console's signing key: created once (mode 0600), kept across restarts."""
    try:
        if path.exists():
            if path.stat().st_mode & 0o077:
                raise ConfigError(f"{path}: the console key must not be readable by group/others (chmod 600)")
            key = path.read_bytes()
            if len(key) < KEY_BYTES:
                raise ConfigError(f"{path}: the console key is shorter than {KEY_BYTES} bytes")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        key = secrets.token_bytes(KEY_BYTES)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except OSError as error:
        raise ConfigError(f"{path}: cannot read or create the console key ({error.strerror})") from None


class AddressLimiter:
    """At most ``attempts`` logins per client address per ``window`` seconds (in this process).

    The per-user limit lives in the database (failed logins are audit events); this one stops a
    single address from trying many names.  Memory is bounded: the oldest addresses are dropped.
    """

    def __init__(self, attempts: int = 20, window: float = 300.0, max_addresses: int = 10_000) -> None:
        self.attempts = attempts
        self.window = window
        self.max_addresses = max_addresses
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            times = self._seen.setdefault(address, deque())
            while times and now - times[0] > self.window:
                times.popleft()
            if len(times) >= self.attempts:
                return False
            times.append(now)
            if len(self._seen) > self.max_addresses:
                self._seen.pop(next(iter(self._seen)))
            return True
