"""Envelope encryption: AES-256-GCM under KMS data keys, bound to tenant and object.

A sealed value is `b"KH1" | len(edk) (2 bytes) | edk | nonce (12) | ciphertext+tag`, where `edk`
is the KMS-encrypted data key. The KMS encryption context names the tenant and the purpose, and
the AES-GCM associated data adds the object id (link or webhook), so a sealed value copied to
another item, tenant or purpose fails to open.

KMS calls are amortised: one data key seals many values for a bounded time and count, and a data
key decrypted once serves many reveals (bounded cache). Plaintext keys live only in memory.

Key replacement: a Sealer seals under one KMS key and may also open values sealed under
`previous_key_ids` (each Decrypt still names the key it expects), so values sealed before the switch
keep opening while `opscli kms reseal` moves them to the new key (docs/operations.md).

Imports nothing else of Keyhole's (KMS clients are passed in).
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.sealing.exceptions import KeyServiceUnavailable, SealingError, UnsealError

__all__ = ["KeyServiceUnavailable", "Sealer", "SealingError", "UnsealError"]

MAGIC = b"KH1"
NONCE_BYTES = 12
# Decrypt errors that mean "not this key's ciphertext": KMS answers IncorrectKeyException when the
# KeyId named is not the one that encrypted the data key (moto answers AccessDeniedException).
_WRONG_KEY_CODES = ("IncorrectKeyException", "AccessDeniedException")


@dataclass
class _DataKey:
    plaintext: bytes
    encrypted: bytes
    created: float
    uses: int = 0


class Sealer:
    """Seals and unseals small secrets (share tokens, webhook secrets) for one KMS key."""

    def __init__(
        self,
        kms_client_factory: Callable[[], Any],
        key_id: str,
        *,
        max_age_seconds: int = 300,
        max_uses: int = 10_000,
        unseal_cache_size: int = 256,
        clock: Callable[[], float] = time.monotonic,
        previous_key_ids: Sequence[str] = (),
    ) -> None:
        self._client_factory = kms_client_factory
        self._client: Any = None
        self.key_id = key_id
        # Keys a value may also be sealed under while a key replacement is under way (opened, never used to seal).
        self.previous_key_ids = tuple(k for k in previous_key_ids if k and k != key_id)
        self.max_age = max_age_seconds
        self.max_uses = max_uses
        self._clock = clock
        self._lock = threading.Lock()
        self._seal_keys: dict[tuple[str, str], _DataKey] = {}
        # sha256(wrapped key) -> (plaintext key, (tenant, purpose) it was issued for, cached at)
        self._open_keys: OrderedDict[bytes, tuple[bytes, tuple[str, str], float]] = OrderedDict()
        self._open_cache_size = unseal_cache_size
        self.open_max_age = 15 * 60
        self._own_key_answers: dict[bytes, bool] = {}

    @property
    def kms(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    @staticmethod
    def _context(tenant_id: str, purpose: str) -> dict[str, str]:
        return {"keyhole:tenant": tenant_id, "keyhole:purpose": purpose}

    @staticmethod
    def _aad(tenant_id: str, purpose: str, object_id: str) -> bytes:
        return f"keyhole/v1|{purpose}|{tenant_id}|{object_id}".encode()

    def _data_key(self, tenant_id: str, purpose: str) -> _DataKey:
        now = self._clock()
        slot = (tenant_id, purpose)
        with self._lock:
            key = self._seal_keys.get(slot)
            if key is None or key.uses >= self.max_uses or now - key.created >= self.max_age:
                try:
                    response = self.kms.generate_data_key(
                        KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=self._context(tenant_id, purpose)
                    )
                except Exception as error:  # botocore ClientError/EndpointConnectionError
                    raise KeyServiceUnavailable(_describe(error)) from error
                key = _DataKey(plaintext=response["Plaintext"], encrypted=response["CiphertextBlob"], created=now)
                self._seal_keys[slot] = key
                self._remember(key.encrypted, key.plaintext, slot, now)
            key.uses += 1
            return key

    def _remember(self, encrypted: bytes, plaintext: bytes, binding: tuple[str, str], now: float) -> None:
        digest = hashlib.sha256(encrypted).digest()
        self._open_keys[digest] = (plaintext, binding, now)
        self._open_keys.move_to_end(digest)
        while len(self._open_keys) > self._open_cache_size:
            self._open_keys.popitem(last=False)

    def seal(self, plaintext: bytes, *, tenant_id: str, purpose: str, object_id: str) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # imported on first use: cold start

        key = self._data_key(tenant_id, purpose)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(key.plaintext).encrypt(nonce, plaintext, self._aad(tenant_id, purpose, object_id))
        return MAGIC + struct.pack(">H", len(key.encrypted)) + key.encrypted + nonce + ciphertext

    def unseal(self, sealed: bytes, *, tenant_id: str, purpose: str, object_id: str) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        encrypted, nonce, ciphertext = _split(sealed)
        plaintext_key = self._open_data_key(encrypted, tenant_id, purpose)
        try:
            return AESGCM(plaintext_key).decrypt(nonce, ciphertext, self._aad(tenant_id, purpose, object_id))
        except InvalidTag as error:
            raise UnsealError("sealed value does not belong to this item") from error

    def _open_data_key(self, encrypted: bytes, tenant_id: str, purpose: str) -> bytes:
        digest = hashlib.sha256(encrypted).digest()
        binding = (tenant_id, purpose)
        now = self._clock()
        with self._lock:
            cached = self._open_keys.get(digest)
            if cached is not None and now - cached[2] < self.open_max_age:
                plaintext, cached_binding, _ = cached
                # The cache stands in for KMS, so it enforces the same encryption-context check.
                if cached_binding != binding:
                    raise UnsealError("sealed value does not belong to this tenant")
                self._open_keys.move_to_end(digest)
                return plaintext
        candidates = (self.key_id, *self.previous_key_ids)
        for index, key_id in enumerate(candidates):
            try:
                response = self.kms.decrypt(
                    CiphertextBlob=encrypted, KeyId=key_id, EncryptionContext=self._context(tenant_id, purpose)
                )
                break
            except Exception as error:
                code = _code(error)
                if code in _WRONG_KEY_CODES and index + 1 < len(candidates):
                    continue  # sealed under another of our keys (a key replacement is under way)
                if code in ("InvalidCiphertextException", "IncorrectKeyException"):
                    raise UnsealError("sealed value does not belong to this tenant") from error
                raise KeyServiceUnavailable(_describe(error)) from error
        with self._lock:
            self._remember(encrypted, response["Plaintext"], binding, now)
        return response["Plaintext"]

    def sealed_under_own_key(self, sealed: bytes, *, tenant_id: str, purpose: str) -> bool:
        """Whether `sealed`'s data key was issued under this Sealer's own key (not a previous one).

        One Decrypt naming the key, per distinct data key (answers are cached by the wrapped key;
        many values share a data key). For the re-seal tool: values that pass need no re-sealing."""
        encrypted, _, _ = _split(sealed)
        digest = hashlib.sha256(encrypted).digest()
        with self._lock:
            known = self._own_key_answers.get(digest)
        if known is not None:
            return known
        try:
            response = self.kms.decrypt(
                CiphertextBlob=encrypted, KeyId=self.key_id, EncryptionContext=self._context(tenant_id, purpose)
            )
            answer = True
            with self._lock:
                self._remember(encrypted, response["Plaintext"], (tenant_id, purpose), self._clock())
        except Exception as error:
            if _code(error) not in _WRONG_KEY_CODES:
                if _code(error) == "InvalidCiphertextException":
                    raise UnsealError("sealed value does not belong to this tenant") from error
                raise KeyServiceUnavailable(_describe(error)) from error
            answer = False
        with self._lock:
            self._own_key_answers[digest] = answer
            while len(self._own_key_answers) > 4 * self._open_cache_size:
                self._own_key_answers.pop(next(iter(self._own_key_answers)))
        return answer


def _split(sealed: bytes) -> tuple[bytes, bytes, bytes]:
    if not isinstance(sealed, (bytes, bytearray)) or not sealed.startswith(MAGIC) or len(sealed) < 5:
        raise UnsealError("not a sealed value")
    (length,) = struct.unpack(">H", sealed[3:5])
    start = 5 + length
    if len(sealed) < start + NONCE_BYTES + 16:
        raise UnsealError("sealed value is truncated")
    return bytes(sealed[5:start]), bytes(sealed[start : start + NONCE_BYTES]), bytes(sealed[start + NONCE_BYTES :])


def _code(error: BaseException) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _describe(error: BaseException) -> str:
    return f"KMS call failed ({_code(error) or type(error).__name__})"
