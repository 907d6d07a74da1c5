"""The decisions log keeps each decision's message and margins: a logged decision renders in
English or Chinese, one logged before decisions kept them renders its stored explanation, the
chain of either verifies, and a decision logged without them is not logged again."""

from __future__ import annotations

from typing import Any

import pytest

from relapse_guard import Policy
from relapse_guard.decisions import Decision
from relapse_guard.messages import render_stored
from relapse_guard.store import replay

from .helpers import KEY, StoreLike, household, make_store, story
from .test_chain import AS_OF, logged

ZH = "zh-CN"


def test_a_logged_decision_renders_in_either_language(store: StoreLike, yubei: Policy) -> None:
    (result,) = logged(store, yubei, ("H1",))
    entries = store.decisions("H1")
    assert [entry.text() for entry in entries] == [d.explanation for d in result.decisions]
    assert [entry.text(ZH) for entry in entries] == [d.render(ZH) for d in result.decisions]
    assert all(entry.text(ZH) != entry.text() for entry in entries)
    with_margins = [entry for entry in entries if entry.decision["margins"]]
    assert with_margins, "the story has a risk found below the line"
    assert store.verify().ok


_TO_DICT = Decision.to_dict


def _legacy(decision: Decision) -> dict[str, Any]:
    """A decision's dict as a version before decisions kept their message wrote it."""
    return {key: value for key, value in _TO_DICT(decision).items() if key not in ("message", "margins")}


def test_a_log_written_before_messages_verifies_renders_and_is_not_logged_again(
    store: StoreLike, yubei: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(Decision, "to_dict", _legacy)
        (result,) = logged(store, yubei, ("H1",))
    entries = store.decisions("H1")
    assert all("message" not in entry.decision for entry in entries)
    assert [entry.text(ZH) for entry in entries] == [d.explanation for d in result.decisions]
    assert store.verify().ok
    # the same decisions, now written with their message: known already
    assert store.record_decisions(replay(store, "H1", yubei, as_of=AS_OF)) == 0
    assert store.verify().ok


def test_member_ids_in_a_message_are_hashed_too(store_kind: str, tmp_path: Any, yubei: Policy) -> None:
    with make_store(store_kind, tmp_path / "private.db", id_key=KEY) as store:
        h = household("H1")
        store.put_household(h)
        store.append("H1", story(h))
        store.record_decisions(replay(store, "H1", yubei, as_of=AS_OF))
        logged_text = " ".join(str(entry.decision) for entry in store.decisions("H1"))
        for member in h.members:
            assert member.id not in logged_text
        for entry in store.decisions("H1"):
            assert render_stored(entry.decision) == entry.decision["explanation"]
