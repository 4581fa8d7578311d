"""Dashboard extensions declared in the manifest (mounts, targets, permissions)."""

from __future__ import annotations


def manifest_extensions() -> list[dict]:
    return []
