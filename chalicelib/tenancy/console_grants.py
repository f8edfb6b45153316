"""The console sessions a credential started, as the credential's side sees them: deleting an API
key (`apikeys.delete_key`) or a platform key (`platform.keys.revoke_key`) ends every console
session it started, before the deleting request answers.

The sessions themselves are chalicelib/console's (minting, the ticket exchange, authentication);
a key's deletion needs only their item keys, listed under the key (`ConsoleGrant`, written in the
same transaction as the session, which also checks that the key still exists: a session is never
started by a key already deleted, and one started just before is in the list by then).
"""

from __future__ import annotations

from chalicelib.service import Keyhole
from chalicelib.storage.models import ConsoleGrant, ConsoleSession

BATCH = 25  # TransactWriteItems takes up to 100 items: a session and its grant are two


def end_sessions_of(svc: Keyhole, credential_id: str) -> int:
    """Delete every console session `credential_id` started (and its entry in the list). Returns
    how many there were. Safe to run again: what is already gone is skipped."""
    ended = 0
    partition = ConsoleGrant.partition(credential_id)
    while True:
        grants = list(ConsoleGrant.query(partition, consistent_read=True, limit=BATCH))
        if not grants:
            return ended
        txn = svc.store.txn()
        for grant in grants:
            txn.delete(ConsoleSession, (grant.session_key,))
            txn.delete(ConsoleGrant, (grant.pk, grant.sk))
        txn.commit()
        ended += len(grants)
