"""The smallest ASGI app that reads a webhook body and answers 200: the HTTP ceiling of the uvicorn worker.

benchmarks/webhook_ingest.py runs it under the same gunicorn settings and client when the worker class is an
ASGI one (uvicorn), as http_ceiling_wsgi.py for the WSGI worker classes.
"""


async def application(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"17")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"success": true}'})
