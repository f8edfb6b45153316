"""Link passwords: scrypt hashes (`cryptography`), verified in constant time."""

from __future__ import annotations

import base64
import os

PREFIX = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = 2**15, r: int = 8, p: int = 1) -> str:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = os.urandom(16)
    digest = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))
    return f"{PREFIX}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    from cryptography.exceptions import InvalidKey
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    try:
        prefix, n, r, p, salt, digest = encoded.split("$")
        if prefix != PREFIX:
            return False
        kdf = Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode("utf-8"), base64.b64decode(digest))  # constant-time compare inside
        return True
    except (InvalidKey, ValueError):
        return False
