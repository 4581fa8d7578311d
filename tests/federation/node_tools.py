"""Where the npm federation tooling lives, and skips with a clear reason when it is not installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FEDERATION_DIR = REPO / "federation"
COMPOSE_SCRIPT = FEDERATION_DIR / "compose.mjs"
GATEWAY_CONFIG = FEDERATION_DIR / "gateway.config.mjs"
GATEWAY_BIN = FEDERATION_DIR / "node_modules" / ".bin" / "hive-gateway"
SUPERGRAPH = REPO / "graphql" / "supergraph.graphql"
SALEOR_SDL = REPO.parent / "shared" / "saleor" / "federation-sdl.graphql"


def require_node_tools() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: federation composition/gateway tests need Node.js >= 20")
    if not (FEDERATION_DIR / "node_modules" / "@theguild" / "federation-composition").is_dir():
        pytest.skip("federation npm packages are not installed: run `npm ci --prefix federation`")
    if not SALEOR_SDL.is_file():
        pytest.skip(f"Saleor's federation SDL is missing: {SALEOR_SDL}")
    return node
