"""Sealing during a KMS key replacement (moto KMS, real cryptography): a Sealer seals under its own
key, also opens values sealed under its previous keys, and tells which values are already under
its own key (what `opscli kms reseal` skips)."""
from __future__ import annotations

from typing import Any, Iterator, Tuple

import pytest
from moto import mock_aws

from chalicelib.sealing import SealingError, Sealer, UnsealError
from tests.unit.test_sealing import OTHER_TENANT, PURPOSE, TENANT, CountingKms, seal, unseal


@pytest.fixture
def keys() -> Iterator[Tuple[CountingKms, str, str, str]]:
    """A KMS with the old key, its replacement, and an unrelated key."""
    with mock_aws():
        kms = CountingKms()
        old, new, foreign = (kms.client.create_key(Description=d)["KeyMetadata"]["Arn"]
                             for d in ("old", "new", "foreign"))
        yield kms, old, new, foreign


def test_values_under_a_previous_key_keep_opening_and_new_ones_use_the_new_key(keys: Any) -> None:
    kms, old, new, _ = keys
    before = seal(Sealer(kms.factory(), old), b"sealed before the switch")
    # a Sealer configured with only the new key cannot open the old value
    with pytest.raises(SealingError):
        unseal(Sealer(kms.factory(), new), before)
    # one that names the old key as a previous key can, and seals new values under the new key only
    switching = Sealer(kms.factory(), new, previous_key_ids=[old])
    assert unseal(switching, before) == b"sealed before the switch"
    after = seal(switching, b"sealed after the switch")
    assert unseal(Sealer(kms.factory(), new), after) == b"sealed after the switch"
    with pytest.raises(SealingError):
        unseal(Sealer(kms.factory(), old), after)


def test_a_previous_key_does_not_loosen_the_binding_to_tenant_and_object(keys: Any) -> None:
    kms, old, new, _ = keys
    before = seal(Sealer(kms.factory(), old), b"token")
    with pytest.raises(UnsealError):
        unseal(Sealer(kms.factory(), new, previous_key_ids=[old]), before, tenant=OTHER_TENANT)


def test_a_value_under_a_key_that_is_not_ours_does_not_open(keys: Any) -> None:
    kms, old, new, foreign = keys
    elsewhere = seal(Sealer(kms.factory(), foreign), b"token")
    with pytest.raises(SealingError):
        unseal(Sealer(kms.factory(), new, previous_key_ids=[old]), elsewhere)


def test_sealed_under_own_key_asks_kms_once_per_data_key(keys: Any) -> None:
    kms, old, new, _ = keys
    old_sealer, new_sealer = Sealer(kms.factory(), old), Sealer(kms.factory(), new)
    under_old = [seal(old_sealer, f"old {i}".encode()) for i in range(5)]  # one data key for all five
    under_new = [seal(new_sealer, f"new {i}".encode()) for i in range(5)]
    checker = Sealer(kms.factory(), new)
    kms.calls.clear()
    assert [checker.sealed_under_own_key(v, tenant_id=TENANT, purpose=PURPOSE) for v in under_old] == [False] * 5
    assert [checker.sealed_under_own_key(v, tenant_id=TENANT, purpose=PURPOSE) for v in under_new] == [True] * 5
    assert kms.count("Decrypt") == 2  # one per distinct wrapped data key, answers cached
    # and a value opened by the check costs no further call to open
    assert unseal(checker, under_new[0]) == b"new 0" and kms.count("Decrypt") == 2
