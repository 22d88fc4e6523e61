"""The claims registry: every claim runs, links an existing proof, returns JSON evidence."""

from __future__ import annotations

import json

import pytest

import proofs
from revinfo import claims
from revinfo.claims import registry

FAST = ["strict-dpi-layer-noise", "discrete-constant-mi", "deterministic-ib",
        "quantization-conjecture", "usable-information-created", "volume-preservation"]


def test_names_and_kinds() -> None:
    names = claims.names()
    assert len(names) >= 12 and len(set(names)) == len(names)
    for name in names:
        c = claims.get(name)
        assert c.kind in claims.KINDS and c.statement


def test_every_proof_names_a_proofs_module() -> None:
    for name in claims.names():
        proof = claims.get(name).proof
        assert proof is None or proof in proofs.PROOFS, (name, proof)
        if proof is not None:
            assert callable(proofs.prover(proof))


def test_unknown_name_and_bad_registration() -> None:
    with pytest.raises(ValueError, match="unknown claim"):
        claims.run(["no-such-claim"])
    with pytest.raises(ValueError, match="kind"):
        claims.claim("x", "x", "theorem")
    with pytest.raises(ValueError, match="proof"):
        claims.claim("x", "x", "identity", proof="no_such_proof")
    with pytest.raises(ValueError, match="seed"):
        claims.run(["mi-invariance"], seed=-1)
    with pytest.raises(TypeError, match="seed"):
        claims.run(["mi-invariance"], seed=1.5)


def test_seed_none_runs_with_a_fresh_seed() -> None:
    (result,) = claims.run(["change-of-variables"], seed=None)
    assert result.holds


@pytest.mark.parametrize("name", FAST)
def test_fast_claim_runs_with_json_evidence(name: str) -> None:
    (r,) = claims.run([name], seed=0)
    assert r.name == name and isinstance(r.holds, bool) and r.seconds >= 0
    assert r.evidence
    json.dumps(r.to_dict(), allow_nan=False)
    if r.kind != "conjecture":
        assert r.holds, r.evidence


def test_same_seed_same_evidence() -> None:
    a = claims.run(["strict-dpi-layer-noise"], seed=3)[0]
    b = claims.run(["strict-dpi-layer-noise"], seed=3)[0]
    assert a.evidence == b.evidence


def test_jsonable_turns_non_finite_into_strings() -> None:
    import numpy as np

    out = registry.jsonable({"a": np.float64("inf"), "b": [np.int64(2), np.bool_(True)]})
    assert out == {"a": "inf", "b": [2, True]}


@pytest.mark.slow
def test_full_registry_runs_and_identities_hold() -> None:
    results = claims.run()
    assert [r.name for r in results] == claims.names()
    for r in results:
        json.dumps(r.to_dict(), allow_nan=False)
        if r.kind != "conjecture":
            assert r.holds, (r.name, r.evidence)
