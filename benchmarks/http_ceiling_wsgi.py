"""The smallest WSGI app that reads a webhook body and answers 200: the HTTP ceiling of this machine's gunicorn.

benchmarks/webhook_ingest.py runs it under the same gunicorn settings and client, so the report can say how
much of the gap to a raw INSERT is HTTP + Python itself, and how much is ours.
"""


def application(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"success": true}']
