"""Fixed windows: where a window starts and ends, and what Retry-After says at the edges."""
from chalicelib.storage.ratelimit import window


def test_a_window_is_the_current_minute():
    # GIVEN t = 12:00:59.2 (epoch minute 1000) WHEN a window is taken THEN it ends at 12:01:00
    current = window("AK#k", 10, 60_000 + 59.2)
    assert current.key == "AK#k#1000"
    assert current.retry_after == 1  # never 0: a client that waits 0 s would be refused again
    assert current.expires == 60_060 + 60  # TTL keeps the item one window past its end


def test_the_next_second_is_a_new_window():
    assert window("AK#k", 10, 60_060.0).key == "AK#k#1001"
    assert window("AK#k", 10, 60_060.0).retry_after == 60


def test_subjects_do_not_share_windows():
    assert window("VIP#t#1.2.3.4", 5, 1.0).key != window("VIP#t#1.2.3.5", 5, 1.0).key
