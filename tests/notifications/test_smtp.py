"""The production path: Django's SMTP backend talking to a real (loopback) SMTP server."""

from __future__ import annotations

import email
import socketserver
import threading
from email.header import decode_header, make_header

import pytest

from saleor_aftersales.notifications import actions, sending
from saleor_aftersales.notifications.models import Notification


class _SMTPHandler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self._reply("220 test ESMTP")
        while True:
            line = self.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                if verb == "RCPT" and self.server.refuse:
                    self._reply("451 mailbox busy, try later")
                else:
                    self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 go ahead")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk)
                self.server.messages.append(b"".join(data))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


@pytest.fixture
def smtp_server(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    server.refuse = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.server_address[1]
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def _notify(installation):
    return actions.notify(
        installation=installation,
        event="return_received",
        recipient_email="buyer@example.com",
        dedupe_key="smtp-1",
        language="zh-hans",
        context={"reference": "RMA-000003", "order_number": "88"},
    )


def test_a_chinese_email_goes_over_smtp_with_text_and_html(installation, smtp_server):
    notification = _notify(installation)
    sending.send(notification.pk)
    assert len(smtp_server.messages) == 1
    message = email.message_from_bytes(smtp_server.messages[0])
    assert str(make_header(decode_header(message["Subject"]))) == "我们已收到您的退货 RMA-000003"
    assert message["To"] == "buyer@example.com"
    assert message["X-Aftersales-Event"] == "return_received"
    parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    text = parts["text/plain"].get_payload(decode=True).decode(parts["text/plain"].get_content_charset())
    assert "您的退货 RMA-000003（订单 #88）已签收" in text
    assert Notification.objects.get().status == "sent"


def test_an_smtp_refusal_is_recorded_and_retried(installation, smtp_server):
    smtp_server.refuse = True
    notification = _notify(installation)
    with pytest.raises(sending.SendFailed):
        sending.send(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert "451" in notification.last_error
    smtp_server.refuse = False
    sending.send(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1
