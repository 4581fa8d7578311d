"""CI check: Saleor's federation SDL + our live subgraph SDL compose, and graphql/supergraph.graphql is current.

Regenerate the checked-in supergraph with `UPDATE_SUPERGRAPH=1 .venv/bin/pytest tests/federation -k composition`.
"""

from __future__ import annotations

import os
import subprocess

from .node_tools import COMPOSE_SCRIPT, SALEOR_SDL, SUPERGRAPH, require_node_tools


def _compose(node: str, aftersales_sdl, out, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [node, str(COMPOSE_SCRIPT), "--saleor-sdl", str(SALEOR_SDL), "--aftersales-sdl", str(aftersales_sdl)]
        + ["--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _live_sdl(gql) -> str:
    result = gql("{ _service { sdl } }")
    assert "errors" not in result, result
    return result["data"]["_service"]["sdl"]


def test_supergraph_composes_and_has_not_drifted(gql, tmp_path):
    node = require_node_tools()
    subgraph = tmp_path / "aftersales.graphql"
    subgraph.write_text(_live_sdl(gql))

    if os.environ.get("UPDATE_SUPERGRAPH") == "1":
        written = _compose(node, subgraph, SUPERGRAPH)
        assert written.returncode == 0, written.stderr
    checked = _compose(node, subgraph, SUPERGRAPH, "--check")

    assert checked.returncode == 0, (
        f"{checked.stderr}\nRegenerate with: UPDATE_SUPERGRAPH=1 .venv/bin/pytest tests/federation -k composition"
    )
    supergraph = SUPERGRAPH.read_text()
    assert 'AFTERSALES @join__graph(name: "aftersales"' in supergraph
    assert 'SALEOR @join__graph(name: "saleor"' in supergraph
    assert "returnRequests: [ReturnRequest!]! @join__field(graph: AFTERSALES)" in supergraph


def test_check_reports_drift(gql, tmp_path):
    node = require_node_tools()
    subgraph = tmp_path / "aftersales.graphql"
    subgraph.write_text(_live_sdl(gql))
    stale = tmp_path / "supergraph.graphql"
    stale.write_text(SUPERGRAPH.read_text().replace("returnRequests", "oldReturnRequests", 1))

    result = _compose(node, subgraph, stale, "--check")

    assert result.returncode == 3
    assert "supergraph drift" in result.stderr


def test_composition_errors_fail_the_check(gql, tmp_path):
    node = require_node_tools()
    # A subgraph that redefines Saleor's Money with another amount type cannot compose.
    subgraph = tmp_path / "aftersales.graphql"
    subgraph.write_text(_live_sdl(gql) + "\ntype Money {\n  amount: String!\n}\n")

    result = _compose(node, subgraph, tmp_path / "supergraph.graphql")

    assert result.returncode == 2
    assert 'Type of field "Money.amount" is incompatible across subgraphs' in result.stderr
