"""How often an open share page may poll: SPEC.md says never more often than every 10 seconds."""
from __future__ import annotations

import re

import pytest

from chalicelib.viewer import pages as page, resolve as viewer
from chalicelib.runtime.config import MAX_PAGE_POLL_SECONDS, Settings


def settings(stage: str, poll: int) -> Settings:
    return Settings(table_name="t", counters_table_name="c", kms_key_id="k", stage=stage, page_poll_seconds=poll)


@pytest.mark.parametrize("stage", ["dev", "prod", "staging"])
def test_deployed_stages_never_poll_faster_than_every_10_seconds(stage: str) -> None:
    assert settings(stage, 1).effective_page_poll_seconds == 10
    assert settings(stage, 30).effective_page_poll_seconds == 30
    assert settings(stage, 10_000).effective_page_poll_seconds == 300


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_stages_may_poll_fast_for_browser_tests(stage: str) -> None:
    assert settings(stage, 1).effective_page_poll_seconds == 1
    assert settings(stage, 0).effective_page_poll_seconds == 1


def test_the_environment_sets_the_interval() -> None:
    env = {"KEYHOLE_TABLE": "t", "KEYHOLE_COUNTERS_TABLE": "c", "KEYHOLE_KMS_KEY_ID": "k"}
    assert Settings.from_env(env).page_poll_seconds == 10
    assert Settings.from_env({**env, "KEYHOLE_PAGE_POLL_SECONDS": "1", "KEYHOLE_STAGE": "test"}
                             ).effective_page_poll_seconds == 1


def test_an_open_page_always_polls_again_well_within_the_refresh_grace() -> None:
    # GIVEN the longest pause the page's script takes between polls (hidden tab, network back-off)
    ceilings = re.findall(r"var \w+_CEILING_MS = ([^;]+);", page.SCRIPT)
    assert len(ceilings) == 3, "the script's back-off ceilings moved"
    caps_ms = [max(int(n) for n in re.findall(r"\d{4,}", expression)) for expression in ceilings]
    longest = max(max(caps_ms) / 1000, MAX_PAGE_POLL_SECONDS)
    # THEN the grace after a document update is three times that: an open page's poll finding the new
    # version always falls inside it, so a page left open is not charged for it
    assert viewer.REFRESH_GRACE_SECONDS >= 3 * longest
