"""Promise-based execution so request-scoped DataLoaders batch in a sync view.

graphql-core 3.2.10 made `path` a required argument of `handle_field_error`; graphql-core-promise 3.2.3
still calls the two-argument form. Rebuilding the path from the error keeps every field error (passing
None would keep only the first). A regression test makes a loader fail for 3 items and expects 3 errors.
"""

from __future__ import annotations

from graphql.pyutils import Path
from graphql_core_promise import PromiseExecutionContext


def _as_path(keys) -> Path | None:
    path = None
    for key in keys or ():
        path = Path(path, key, None)
    return path


class ExecutionContext(PromiseExecutionContext):
    def handle_field_error(self, error, return_type, path=None):
        return super().handle_field_error(
            error, return_type, path if path is not None else _as_path(error.path)
        )
