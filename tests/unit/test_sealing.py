"""`chalicelib.sealing`: AES-256-GCM under KMS data keys (moto KMS, real cryptography).

The KMS client is real (botocore against moto); the tests count its calls with a botocore
`before-call.kms` hook, the way any client of the library could.
"""
from __future__ import annotations

import secrets
from typing import Any, Callable, Iterator, List

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from chalicelib.sealing import KeyServiceUnavailable, Sealer, SealingError, UnsealError

TENANT, OTHER_TENANT = "ten_0123456789abcdef", "ten_fedcba9876543210"
PURPOSE, OTHER_PURPOSE = "share-token", "webhook-secret"
LINK, OTHER_LINK = "lnk_aaaaaaaaaaaaaaaaaaaaaaaa", "lnk_bbbbbbbbbbbbbbbbbbbbbbbb"
HEADER = 5  # b"KH1" + 2-byte length of the wrapped data key
NONCE = 12


class CountingKms:
    """One real KMS client (moto), with every call it makes recorded by operation name."""

    def __init__(self) -> None:
        self.client = boto3.client("kms", region_name="us-east-1")
        self.calls: List[str] = []
        self.client.meta.events.register("before-call.kms", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def count(self, operation: str) -> int:
        return self.calls.count(operation)

    def factory(self) -> Callable[[], Any]:
        return lambda: self.client


@pytest.fixture(scope="module")
def kms_env() -> Iterator[tuple]:
    with mock_aws():
        kms = CountingKms()
        key_id = kms.client.create_key(Description="sealing tests")["KeyMetadata"]["KeyId"]
        yield kms, key_id


@pytest.fixture
def kms(kms_env: tuple) -> CountingKms:
    kms_env[0].calls.clear()
    return kms_env[0]


@pytest.fixture
def key_id(kms_env: tuple) -> str:
    return kms_env[1]


def sealer(kms: CountingKms, key_id: str, **options: Any) -> Sealer:
    """A new Sealer is a cold process: no data key, nothing cached."""
    return Sealer(kms.factory(), key_id, **options)


def seal(s: Sealer, plaintext: bytes = b"token", tenant: str = TENANT, purpose: str = PURPOSE,
         object_id: str = LINK) -> bytes:
    return s.seal(plaintext, tenant_id=tenant, purpose=purpose, object_id=object_id)


def unseal(s: Sealer, sealed: bytes, tenant: str = TENANT, purpose: str = PURPOSE, object_id: str = LINK) -> bytes:
    return s.unseal(sealed, tenant_id=tenant, purpose=purpose, object_id=object_id)


@pytest.mark.parametrize("plaintext", [b"", b"x", secrets.token_urlsafe(48).encode(), secrets.token_bytes(4096)],
                         ids=["empty", "one byte", "share token", "4 KiB binary"])
def test_round_trip_in_the_same_and_in_a_cold_process(kms: CountingKms, key_id: str, plaintext: bytes) -> None:
    # GIVEN a sealed value
    sealed = seal(sealer(kms, key_id), plaintext)
    # THEN it does not contain the plaintext, and both a warm and a cold process open it
    assert sealed.startswith(b"KH1") and (len(plaintext) < 8 or plaintext not in sealed)
    assert unseal(sealer(kms, key_id), sealed) == plaintext


def test_sealing_the_same_value_twice_gives_different_bytes(kms: CountingKms, key_id: str) -> None:
    s = sealer(kms, key_id)
    assert seal(s, b"same") != seal(s, b"same")


def test_tampering_with_any_byte_is_detected(kms: CountingKms, key_id: str) -> None:
    # GIVEN a sealed token and the offsets of its parts
    s = sealer(kms, key_id)
    sealed = seal(s, secrets.token_urlsafe(48).encode())
    wrapped_key_end = HEADER + int.from_bytes(sealed[3:5], "big")
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        # WHEN one bit of one byte is flipped THEN it never opens
        with pytest.raises(SealingError) as caught:
            unseal(s, bytes(tampered))
        # AND outside the KMS-wrapped key (header, nonce, ciphertext, tag) it is an UnsealError:
        # a broken value, not an outage. (A corrupted wrapped key is judged by KMS, which may answer
        # "invalid ciphertext" or "access denied"; either way nothing opens.)
        if not HEADER <= position < wrapped_key_end:
            assert isinstance(caught.value, UnsealError), position


@pytest.mark.parametrize("mangle", [
    lambda v: v[:-1], lambda v: v[:20], lambda v: v[:5], lambda v: b"", lambda v: v + b"\x00",
    lambda v: b"KH2" + v[3:], lambda v: v[:3] + b"\xff\xff" + v[5:], lambda v: v[:3] + b"\x00\x00" + v[5:],
], ids=["drop last byte", "truncated", "header only", "empty", "extra byte", "wrong magic",
        "huge key length", "zero key length"])
def test_truncated_extended_or_reframed_values_do_not_open(kms: CountingKms, key_id: str,
                                                           mangle: Callable[[bytes], bytes]) -> None:
    s = sealer(kms, key_id)
    with pytest.raises(SealingError):
        unseal(s, mangle(seal(s)))


def test_non_bytes_are_refused(kms: CountingKms, key_id: str) -> None:
    with pytest.raises(UnsealError):
        sealer(kms, key_id).unseal("KH1...", tenant_id=TENANT, purpose=PURPOSE, object_id=LINK)  # type: ignore


@pytest.mark.parametrize("warm", [True, False], ids=["same process (key cache)", "cold process (KMS)"])
@pytest.mark.parametrize("elsewhere", [
    {"object_id": OTHER_LINK}, {"tenant": OTHER_TENANT}, {"purpose": OTHER_PURPOSE},
    {"tenant": OTHER_TENANT, "object_id": OTHER_LINK},
], ids=["another link", "another tenant", "another purpose", "another tenant's link"])
def test_a_value_copied_to_another_link_tenant_or_purpose_does_not_open(kms: CountingKms, key_id: str,
                                                                        elsewhere: dict, warm: bool) -> None:
    # GIVEN a token sealed for link A of tenant T
    s = sealer(kms, key_id)
    sealed = seal(s, b"the token")
    opener = s if warm else sealer(kms, key_id)
    # WHEN it is presented as belonging elsewhere THEN it does not open, whether the data key is
    # cached (the cache enforces the same binding KMS does) or KMS must be asked
    with pytest.raises(UnsealError):
        unseal(opener, sealed, **elsewhere)
    # AND it still opens where it belongs
    assert unseal(opener, sealed) == b"the token"


def test_one_data_key_serves_many_seals(kms: CountingKms, key_id: str) -> None:
    # GIVEN a cold process WHEN it seals 200 values for one tenant and purpose
    s = sealer(kms, key_id)
    values = [seal(s, f"token {i}".encode(), object_id=f"lnk_{i:024x}") for i in range(200)]
    # THEN KMS generated one data key, and every value opens without another KMS call
    assert kms.calls == ["GenerateDataKey"]
    assert all(unseal(s, v, object_id=f"lnk_{i:024x}") == f"token {i}".encode() for i, v in enumerate(values))
    assert kms.calls == ["GenerateDataKey"]


def test_data_keys_are_per_tenant_and_purpose(kms: CountingKms, key_id: str) -> None:
    s = sealer(kms, key_id)
    for tenant in (TENANT, OTHER_TENANT):
        for purpose in (PURPOSE, OTHER_PURPOSE):
            for _ in range(3):
                seal(s, tenant=tenant, purpose=purpose)
    assert kms.count("GenerateDataKey") == 4


def test_a_data_key_rotates_after_max_uses(kms: CountingKms, key_id: str) -> None:
    # GIVEN a data key good for 3 seals WHEN 7 values are sealed THEN 3 data keys were generated
    s = sealer(kms, key_id, max_uses=3)
    values = [seal(s, str(i).encode()) for i in range(7)]
    assert kms.count("GenerateDataKey") == 3
    # AND values under every key still open, in a cold process too
    cold = sealer(kms, key_id)
    assert [unseal(cold, v) for v in values] == [str(i).encode() for i in range(7)]
    assert kms.count("Decrypt") == 3  # one per data key, then cached


def test_a_data_key_rotates_after_max_age(kms: CountingKms, key_id: str) -> None:
    # GIVEN a data key good for 300 s, and the sealer's clock
    now = [1000.0]
    s = sealer(kms, key_id, max_age_seconds=300, clock=lambda: now[0])
    first = seal(s, b"1")
    now[0] += 299
    seal(s, b"2")
    assert kms.count("GenerateDataKey") == 1
    # WHEN the key is 300 s old THEN the next seal uses a new one, and old values still open
    now[0] += 1
    seal(s, b"3")
    assert kms.count("GenerateDataKey") == 2
    assert unseal(s, first) == b"1"


def test_unsealing_caches_the_decrypted_data_key(kms: CountingKms, key_id: str) -> None:
    # GIVEN 20 values sealed under one data key, and a cold process
    s = sealer(kms, key_id)
    values = [seal(s, str(i).encode()) for i in range(20)]
    cold = sealer(kms, key_id)
    kms.calls.clear()
    # WHEN the cold process opens them all THEN KMS decrypts the data key once
    assert [unseal(cold, v) for v in values] == [str(i).encode() for i in range(20)]
    assert kms.calls == ["Decrypt"]


def test_the_decrypted_key_cache_expires(kms: CountingKms, key_id: str) -> None:
    now = [0.0]
    s = sealer(kms, key_id, clock=lambda: now[0])
    sealed = seal(s)
    now[0] += s.open_max_age + 1
    kms.calls.clear()
    assert unseal(s, sealed) == b"token" and kms.calls == ["Decrypt"]


def test_kms_outages_are_key_service_unavailable_and_leak_nothing(kms: CountingKms, key_id: str) -> None:
    # GIVEN a value sealed while KMS worked, and a process whose KMS endpoint cannot be reached
    sealed = seal(sealer(kms, key_id), b"SECRET-PLAINTEXT")
    unreachable = boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                               config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    down = Sealer(lambda: unreachable, key_id)
    # WHEN it seals or opens THEN KeyServiceUnavailable (an outage, 503), never an UnsealError
    with pytest.raises(KeyServiceUnavailable) as sealing:
        seal(down, b"SECRET-PLAINTEXT")
    with pytest.raises(KeyServiceUnavailable) as opening:
        unseal(down, sealed)
    # AND the errors name the failure, never the secret
    for error in (sealing.value, opening.value):
        assert "SECRET" not in str(error) and "KMS" in str(error)


def test_a_missing_kms_key_is_key_service_unavailable(kms: CountingKms) -> None:
    with pytest.raises(KeyServiceUnavailable):
        seal(sealer(kms, "alias/no-such-key"))


def test_a_value_sealed_under_another_kms_key_does_not_open(kms: CountingKms, key_id: str) -> None:
    # GIVEN a value sealed by another deployment's KMS key WHEN this deployment opens it THEN it
    # fails (KMS answers IncorrectKeyException, mapped to UnsealError; moto answers
    # AccessDeniedException, which the sealer treats as KMS refusing: either way nothing opens)
    other_key = kms.client.create_key(Description="another deployment")["KeyMetadata"]["KeyId"]
    sealed = seal(sealer(kms, other_key))
    with pytest.raises(SealingError):
        unseal(sealer(kms, key_id), sealed)


def test_unseal_errors_never_contain_the_plaintext_or_key(kms: CountingKms, key_id: str) -> None:
    s = sealer(kms, key_id)
    sealed = seal(s, b"SECRET-PLAINTEXT")
    with pytest.raises(UnsealError) as caught:
        unseal(s, sealed, object_id=OTHER_LINK)
    text = f"{caught.value!s} {caught.value!r} {caught.value.__cause__!r}"
    assert "SECRET" not in text and sealed.hex() not in text
