"""``revinfo claims``: exit 0 when all hold, 1 when one fails, 2 for an unknown name."""

from __future__ import annotations

import json

import pytest

from revinfo import claims
from revinfo.cli import main


@pytest.fixture
def false_claim():
    @claims.claim("test-false-claim", "1 = 2 (deliberately false, registered by a test)",
                  "identity")
    def _false(seed: int):
        return False, {"left": 1.0, "right": 2.0}

    yield "test-false-claim"
    claims.unregister("test-false-claim")


def test_exit_0_when_all_hold(capsys) -> None:
    assert main(["claims", "deterministic-ib", "strict-dpi-layer-noise"]) == 0
    assert "deterministic-ib" in capsys.readouterr().out


def test_exit_1_for_a_failing_claim(false_claim, capsys) -> None:
    assert main(["claims", false_claim, "deterministic-ib", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["holds"] for r in out] == [False, True]
    assert out[0]["evidence"] == {"left": 1.0, "right": 2.0}


def test_false_claim_is_removed_after(false_claim) -> None:
    assert false_claim in claims.names()


def test_registry_clean_without_fixture() -> None:
    assert "test-false-claim" not in claims.names()


def test_exit_2_for_an_unknown_name(capsys) -> None:
    assert main(["claims", "no-such-claim"]) == 2
    assert "unknown claim" in capsys.readouterr().err
