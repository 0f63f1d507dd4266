#!/usr/bin/python3
# smtp_sink.py: a real SMTP server for the mail tests (python3-aiosmtpd). Every message it
# accepts is written to DIR as NNNN.eml (as received) and NNNN.txt (headers decoded, then
# each text part decoded), so the C tests can read what really arrived. Recipients whose
# address starts with "bounce" are refused with 550, like a server that knows no such user.
# With USER:PASSWORD the server requires SMTP AUTH (PLAIN or LOGIN) with those credentials;
# with CERT and KEY files it requires STARTTLS before any mail, or with "implicit" after them
# it speaks TLS from the first byte (smtps://).
#   smtp_sink.py PORT DIR [USER:PASSWORD|-] [CERT KEY [implicit]]
import asyncio
import email
import email.policy
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        lines = []
        for key in ("From", "To", "Subject", "Message-ID", "Date", "MIME-Version",
                    "List-Unsubscribe", "List-Unsubscribe-Post"):
            lines.append("%s: %s" % (key, msg.get(key, "")))
        lines.append("Envelope-To: %s" % ",".join(envelope.rcpt_tos))
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                lines.append("--- %s" % part.get_content_type())
                lines.append(part.get_content())
        with self.lock:
            self.n += 1
            base = os.path.join(self.folder, "%04d" % self.n)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        os.rename(base + ".tmp", base + ".txt")
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    kwargs = {}
    implicit = None
    if len(sys.argv) > 5:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        if len(sys.argv) > 6 and sys.argv[6] == "implicit":
            implicit = ctx
        else:
            kwargs.update(tls_context=ctx, require_starttls=True)
    if len(sys.argv) > 3 and sys.argv[3] != "-":
        user, password = sys.argv[3].split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            return AuthResult(success=ok)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    ctl = Controller(Sink(folder), hostname="127.0.0.1", port=port, ssl_context=implicit, **kwargs)
    ctl.start()
    with open(os.path.join(folder, "ready"), "w") as f:
        f.write("ready\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    ctl.stop()


if __name__ == "__main__":
    main()
