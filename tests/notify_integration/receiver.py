#!/usr/bin/env python3
"""Local receivers for the notify integration test.

Starts, on 127.0.0.1 with ports chosen by the OS:
  - an HTTP server that records every POST (path, headers, body) and answers 200, except that
    paths starting with /flaky answer 503 the first time each path is seen;
  - a minimal line-based SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that records
    each message with dot-unstuffing.
Each record is one JSON line appended to the file named by argv[1]. Prints "HTTP <port>" and
"SMTP <port>" on stdout, then serves until POST /shutdown or 120 seconds, whichever is first.
"""
import http.server
import json
import socketserver
import sys
import threading

OUT = sys.argv[1]
LOCK = threading.Lock()
SEEN_FLAKY = set()
STOP = threading.Event()


def record(obj):
    with LOCK, open(OUT, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj) + "\n")


class HttpHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/shutdown":
            self._answer(200)
            STOP.set()
            return
        status = 200
        with LOCK:
            if self.path.startswith("/flaky") and self.path not in SEEN_FLAKY:
                SEEN_FLAKY.add(self.path)
                status = 503
        record({"proto": "http", "path": self.path, "status": status,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")})
        self._answer(status)

    def _answer(self, status):
        payload = b"ok" if status == 200 else b"busy"
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 localhost cloudward test SMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif line.upper().startswith("MAIL FROM:"):
                mail_from, rcpts = line[10:].strip(), []
                self.reply("250 OK")
            elif line.upper().startswith("RCPT TO:"):
                rcpts.append(line[8:].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = []
                while True:
                    d = self.rfile.readline(65536)
                    if not d or d == b".\r\n":
                        break
                    if d.startswith(b".."):
                        d = d[1:]
                    data.append(d)
                record({"proto": "smtp", "from": mail_from, "to": rcpts,
                        "data": b"".join(data).decode("utf-8", "replace")})
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


class ThreadingHttp(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class ThreadingSmtp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    httpd = ThreadingHttp(("127.0.0.1", 0), HttpHandler)
    smtpd = ThreadingSmtp(("127.0.0.1", 0), SmtpHandler)
    for server in (httpd, smtpd):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("HTTP", httpd.server_address[1])
    print("SMTP", smtpd.server_address[1], flush=True)
    STOP.wait(120)
    httpd.shutdown()
    smtpd.shutdown()


if __name__ == "__main__":
    main()
