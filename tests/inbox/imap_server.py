"""A minimal IMAP4rev1 server for testing `fetch-mail` through imaplib over a real socket.

Neither an IMAP server package nor one in the distribution is installed here, so this speaks the
handful of commands the fetch uses: CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN,
UID FETCH (BODY.PEEK[]), UID STORE +FLAGS (\\Seen), LOGOUT.
"""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str
    password: str
    folder: str
    messages: dict[int, bytes]
    seen: set[int] = field(default_factory=set)


class _Handler(socketserver.StreamRequestHandler):
    server: "ImapServer"

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        self.send("* OK IMAP4rev1 test server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                if [word.strip('"') for word in args.split()] != [box.user, box.password]:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                    continue
            elif command == "SELECT":
                if args.strip('"') != box.folder:
                    self.send(f"{tag} NO no such mailbox")
                    continue
                self.send(f"* {len(box.messages)} EXISTS")
            elif command == "UID":
                self.uid(box, args)
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD unknown command")
                continue
            self.send(f"{tag} OK {command} completed")

    def uid(self, box: Mailbox, args: str) -> None:
        sub, _, rest = args.partition(" ")
        sub = sub.upper()
        if sub == "SEARCH":
            unseen = [str(uid) for uid in sorted(box.messages) if uid not in box.seen]
            self.send("* SEARCH " + " ".join(unseen))
        elif sub == "FETCH":
            uid = int(rest.split()[0])
            data = box.messages[uid]
            self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(data)}}}".encode())
            self.wfile.write(data)
            self.send(")")
        elif sub == "STORE":
            box.seen.add(int(rest.split()[0]))


class ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> "ImapServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    @property
    def port(self) -> int:
        return self.server_address[1]
