"""``revinfo claims``: exit 0 when all hold, 1 when one fails, 2 for an unknown name."""

from __future__ import annotations

import contextlib
import json

import pytest

from revinfo import claims
from revinfo.cli import main

FALSE_CLAIM = "test-false-claim"


@contextlib.contextmanager
def registered_false_claim():
    """Register a deliberately false claim for the duration of the block."""

    @claims.claim(FALSE_CLAIM, "1 = 2 (deliberately false, registered by a test)", "identity")
    def _false(seed: int):
        return False, {"left": 1.0, "right": 2.0}

    try:
        yield FALSE_CLAIM
    finally:
        claims.unregister(FALSE_CLAIM)


@pytest.fixture
def false_claim():
    with registered_false_claim() as name:
        yield name


def test_exit_0_when_all_hold(capsys) -> None:
    assert main(["claims", "deterministic-ib", "strict-dpi-layer-noise"]) == 0
    assert "deterministic-ib" in capsys.readouterr().out


def test_exit_1_for_a_failing_claim(false_claim, capsys) -> None:
    assert main(["claims", false_claim, "deterministic-ib", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["holds"] for r in out] == [False, True]
    assert out[0]["evidence"] == {"left": 1.0, "right": 2.0}


def test_false_claim_is_registered_then_removed() -> None:
    # Register, tear down and check in one test, so the result does not depend on which
    # tests ran before in this worker.
    assert FALSE_CLAIM not in claims.names()
    with registered_false_claim() as name:
        assert name in claims.names()
    assert name not in claims.names()
    assert main(["claims", name]) == 2  # the CLI no longer knows it either


def test_exit_2_for_an_unknown_name(capsys) -> None:
    assert main(["claims", "no-such-claim"]) == 2
    assert "unknown claim" in capsys.readouterr().err
