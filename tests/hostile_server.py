#!/usr/bin/env python3
"""A small FTP server that misbehaves on purpose, for fxpc's engine tests.

It keeps uploaded files in memory and serves just what a transfer needs
(USER, PASS, FEAT, TYPE, OPTS, PWD, CWD, MKD, SIZE, PASV, EPSV, PORT, REST,
STOR, APPE, RETR of what was stored, DELE, ABOR, NOOP, QUIT). Each flag adds
one misbehaviour seen in real servers:

--pasv-host H      PASV names host H instead of its own address (a bounce:
                   RFC 2577); the port is whatever --pasv-port says.
--pasv-port P      the port PASV names with --pasv-host.
--pasv-lie-host H  PASV names host H with the port it really listens on
                   (the client must connect to the server's own address).
--silent-foreign   a data connection on its passive port from a host other
                   than its client's is closed without a word, and the
                   transfer command is never answered (Pure-FTPd's way).
--full-after N     STOR/APPE take at most N bytes in all, then answer
                   "452 Insufficient storage space" and drop the data.
--seed NAME:SIZE   starts with a file NAME of SIZE bytes (repeatable).
--escape-names     with --evil-listing: names carrying terminal escape
                   sequences and a bidi override, some of which climb out.
--tls-cert C --tls-key K  offers AUTH TLS with this certificate (the data
                   connections stay clear: it only says it protects them).
--refuse-prot      with --tls-cert: PROT P is refused (536).
--stall-data       RETR opens its data connection, says 150, then sends
                   nothing and never answers (a silent, stuck server).
--unreadable NAME  SIZE answers for NAME, RETR refuses it ("550 Failed to
                   open file."), as for a file whose permissions forbid it.
--endless-listing  with --evil-listing: MLSD sends short entries without end.
--listing-entries N  with --endless-listing: N entries, then a 226.
--listing-name-length L  with --endless-listing: names of L bytes (from 8).
--evil-listing     offers MLSD, and every directory lists names that climb
                   out (`../../escape.txt`, `a/b.txt`, `..`) beside its
                   real files.
--xsha256          offers XSHA256 (in FEAT) and answers it truthfully.
--wrong-hash       offers XSHA256 and answers it with a wrong digest (a
                   server whose disk corrupted the file).
--second-pasv-reply S  when no transfer used a PASV within S seconds, a
                   second reply to it follows, unprompted ("550 Requested
                   action not taken"), as some servers do.
--late-port S      PORT is answered only after S seconds (servers that try
                   the address first).
--refuse-foreign-transfer  PORT and PASV take any address, but the transfer
                   command is refused ("550 Remote addresses do not match")
                   when the data peer is not the client's host.
--home DIR         the login directory (default /): relative paths are
                   taken from it, as from a server that does not chroot.
--dir NAME         NAME is a directory holding the files seeded as
                   NAME/...: SIZE answers "213 4096" for it (as some
                   servers do), RETR refuses it, CWD enters it (and
                   refuses a file), LIST NAME lists it as `ls -l` does.
--listing-family F answers SYST as a server of family F does (or 502 where
                   that family's servers refuse it) and LIST with a canned
                   body of that family's lines (see FAMILIES; `corpus-NAME`
                   serves tests/fixtures/listings/NAME.txt); without
                   it, SYST and LIST are refused.
--endless-data     RETR sends data without end (SIZE still says the
                   stored size), until the client closes the connection.
--drop-after N     RETR sends at most N bytes from where it starts, then
                   closes the data connection and answers 426 (a
                   connection that breaks off: a resume continues it).
--claim-size N     SIZE says N bytes for every file, whatever it holds.
--trickle          RETR sends 4 KiB every 50 ms (a transfer slow enough to
                   be cancelled half-way).
--self-nesting DIR DIR is a directory that holds `sub`, whose `sub` holds
                   `sub`, for ever; each level also holds `f.txt` (5
                   bytes). LIST and MLSD show it, CWD enters it, SIZE and
                   RETR serve the files.

Prints "ready <port>" once listening, then serves until killed. Every
command it receives is appended to --log, one per line.
"""

import argparse
import hashlib
import socket
import socketserver
import threading

# family: (SYST reply text, or None to refuse SYST; LIST body lines).
# Written for fxpc's listing tests after each system's documentation.
FAMILIES = {
    "unix": ("UNIX Type: L8", [
        "total 8",
        "drwxr-xr-x    2 ftp      ftp          4096 Nov 20 10:00 sub dir",
        "-rw-r--r--    1 ftp      ftp          1234 Nov 20 10:00 a file.txt",
    ]),
    "dos": ("Windows_NT", [
        "11-20-26  10:00AM       <DIR>          sub dir",
        "11-20-26  10:00AM                 1,234 a file.txt",
    ]),
    "eplf": ("UNIX Type: L8", [
        "+i8388621.29609,m1795000000,/,\tsubdir",
        "+i8388621.44468,m1795000000,r,s1234,\tfile.txt",
    ]),
    "vms": ("VMS", [
        "Directory DISK$USER:[ALICE]",
        "",
        "SUBDIR.DIR;1          1/3   20-NOV-2026 10:00:00  [STAFF,ALICE]  (RWE,RWE,RE,E)",
        "FILE.TXT;3            3/4   20-NOV-2026 10:00:00  [STAFF,ALICE]  (RWED,RWED,RE,)",
        "",
        "Total of 2 files, 4/7 blocks.",
    ]),
    "os2": ("OS/2", [
        "           0           DIR   11-20-26   10:00  subdir",
        "        1234      A          11-20-26   10:00  file.txt",
    ]),
    "netware": ("NETWARE", [
        "d [RWCEAFMS] owner                512 Nov 20 10:00 subdir",
        "- [RWCEAFMS] owner               1234 Nov 20 10:00 file.txt",
    ]),
    "as400": ("OS/400 is the remote operating system. The TCP/IP version is \"V7R4M0\".", [
        "QSYS            77824 11/20/26 10:00:00 *DIR       subdir/",
        "OWNER            1234 11/20/26 10:00:00 *STMF      file.txt",
    ]),
    "netpresenz": ("MACOS Peter's Server", [
        "drwxrwxr-x               folder        2 Nov 20 10:00 subdir",
        "-------r--         326      908     1234 Nov 20 10:00 file.txt",
    ]),
    "vshell": ("UNIX Type: L8", [
        "drwxr-xr-x   1      500       500     0 Nov 20 10:00 subdir",
        "-rwxr-xr-x   1      500       500  1234 Nov 20 10:00 file.txt",
    ]),
    "wftpd": ("Windows_NT", [
        "SUBDIR           <DIR>  11-20-26  10:00",
        "FILE.TXT          1234  11-20-26  10:00",
    ]),
    "os9": (None, [
        "                            Directory of . 10:00:00",
        " Owner    Last modified  Attributes Sector  Bytecount Name",
        "-------   -------------  ---------- ------  --------- ----",
        "   0.0     26/11/20 1000   d-ewrewr     A8        160 subdir",
        "   0.0     26/11/20 1000   ------wr     9E       1234 file.txt",
    ]),
    "vxworks": (None, [
        "  size          date       time       name",
        "--------       ------     ------    --------",
        "       512    NOV-20-2026  10:00:00   .                 <DIR>",
        "       512    NOV-20-2026  10:00:00   subdir            <DIR>",
        "      1234    NOV-20-2026  10:00:00   file.txt",
    ]),
    "tandem": ("NonStop", [
        "File         Code             EOF  Last Modification    Owner  RWEP",
        "SUBVOL1      101          1,234  20-Nov-26 10:00:00 255,255 \"nunu\"",
        "FILETXT        0         56,789  20-Nov-26 10:00:00 255, 255 \"oooo\"",
    ]),
    # The same lines with neither SYST nor a heading: only a site's
    # `listing = "tandem"` can tell.
    "tandem-bare": (None, [
        "SUBVOL1      101          1,234  20-Nov-26 10:00:00 255,255 \"nunu\"",
        "FILETXT        0         56,789  20-Nov-26 10:00:00 255, 255 \"oooo\"",
    ]),
    "mvs": ("MVS is the operating system of this server. FTP Server is running on z/OS.", [
        "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname",
        "WYOSPT 3390   2026/11/20  1  200  FB      80  8000  PS  BREAD.CLIST",
        "WPTA01 3390   2026/11/20  1    3  FB      80  3120  PO  SOURCE.COBOL",
        "Migrated                                                HSM.DATASET",
    ]),
    # Members of a PDS from a server that refuses SYST: the heading says.
    "pds": (None, [
        " Name     VV.MM   Created       Changed      Size  Init   Mod   Id",
        "MEMBER1   01.03 2026/11/12 2026/11/20 10:00    11    11     0 USER",
        "NOSTATS",
    ]),
    "zvm": ("z/VM Version 7 Release 3, service level 2301 (64-bit), VM/CMS Level 31", [
        "SUBDIR   DIR      -          -          -          - 2026-11-20 10:00:00 -",
        "PROFILE  EXEC     V         71          4          1 2026-11-20 10:00:00 MAINT1",
    ]),
    "connect": ("UNIX Type: L8", [
        "-C--E-----FTP B QUA1I1         41       1234 Nov 20 10:00 QUADTEST",
        "-C--E-----FTP A QUA1I1          1          0 Nov 20 10:00 QUADTEST2",
    ]),
}


def load_corpus():
    """`corpus-NAME` families: tests/fixtures/listings/NAME.txt, real lines
    with their sources (see the README there), served as bytes."""
    import codecs
    import os
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "fixtures", "listings")
    families = {}
    for file in sorted(os.listdir(here)):
        if not file.endswith(".txt"):
            continue
        syst, lines = None, []
        with open(os.path.join(here, file), encoding="utf-8") as f:
            for line in f.read().splitlines():
                if line.startswith("syst: "):
                    syst = None if line[6:] == "-" else line[6:]
                elif line.startswith("line: "):
                    escaped = line[6:].encode("latin-1")
                    lines.append(codecs.escape_decode(escaped)[0])
        families["corpus-" + file[:-4]] = (syst, lines)
    return families


FAMILIES.update(load_corpus())

LOCK = threading.Lock()
FILES = {}
STORED = [0]


class Handler(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.rest = 0
        self.passive = None
        self.active = None
        self.pret = None
        self.write_lock = threading.Lock()
        self.cwd = self.server.args.home.strip("/")
        self.used_listeners = set()

    def key(self, arg):
        """The stored name a path argument means: relative to the working
        directory (the login directory at first), as FTP paths are."""
        if arg.startswith("/"):
            path = arg
        else:
            path = self.cwd + "/" + arg
        parts = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return "/".join(parts)

    def is_dir(self, key):
        return key in [d.strip("/") for d in self.server.args.dir] or self.nested(key) == "dir"

    def nested(self, key):
        """What KEY is in the --self-nesting tree: "dir", "file" or None."""
        root = self.server.args.self_nesting.strip("/")
        if not root or not (key == root or key.startswith(root + "/")):
            return None
        parts = key[len(root):].strip("/").split("/") if key != root else []
        if all(p == "sub" for p in parts):
            return "dir"
        if parts[-1] == "f.txt" and all(p == "sub" for p in parts[:-1]):
            return "file"
        return None

    def stored(self, key):
        """A file's bytes: stored, or one of the self-nesting tree's."""
        if self.nested(key) == "file":
            return b"level"
        with LOCK:
            return FILES.get(key)

    def nested_listing(self, key, mlsd):
        if mlsd:
            return "type=dir; sub\r\ntype=file;size=5; f.txt\r\n"
        return ("drwxr-xr-x   2 ftp      ftp          4096 Jan 01  2024 sub\r\n"
                "-rw-r--r--   1 ftp      ftp             5 Jan 01  2024 f.txt\r\n")

    def reply(self, line):
        # A timer's unprompted reply may race the session's own.
        with self.write_lock:
            self.wfile.write((line + "\r\n").encode())
            self.wfile.flush()

    def log(self, line):
        if self.server.args.log:
            with LOCK, open(self.server.args.log, "a") as f:
                f.write(line + "\n")

    def handle(self):
        self.reply("220 hostile test server ready.")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("latin-1").rstrip("\r\n")
            self.log(line)
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            handler = getattr(self, "do_" + verb, None)
            if handler is None:
                self.reply("502 Command not implemented.")
            elif handler(arg) is False:
                return

    def do_USER(self, arg):
        self.reply("331 Password please.")

    def do_PASS(self, arg):
        self.reply("230 Logged in.")

    def do_FEAT(self, arg):
        extra = ""
        if self.server.args.xsha256 or self.server.args.wrong_hash:
            extra = " XSHA256\r\n"
        if self.server.args.evil_listing:
            extra += " MLST type*;size*;\r\n"
        if self.server.args.require_pret:
            extra += " PRET\r\n"
        if self.server.args.tls_cert:
            extra += " AUTH TLS\r\n PBSZ\r\n PROT\r\n"
        self.reply("211-Features:\r\n SIZE\r\n REST STREAM\r\n" + extra + "211 End")

    def do_XSHA256(self, arg):
        with LOCK:
            data = FILES.get(self.key(arg))
        if data is None:
            self.reply("550 No such file.")
            return
        digest = hashlib.sha256(data).hexdigest()
        if self.server.args.wrong_hash:
            digest = hashlib.sha256(data + b"corrupted").hexdigest()
        self.reply("250 " + digest)

    def do_AUTH(self, arg):
        if not self.server.args.tls_cert:
            self.reply("502 Command not implemented.")
            return
        import ssl

        self.reply("234 Proceed with negotiation.")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server.args.tls_cert, self.server.args.tls_key)
        self.request = context.wrap_socket(self.request, server_side=True)
        self.rfile = self.request.makefile("rb")
        self.wfile = self.request.makefile("wb")

    def do_PBSZ(self, arg):
        self.reply("200 PBSZ=0")

    def do_PROT(self, arg):
        if self.server.args.refuse_prot and arg.upper() == "P":
            # A server that keeps its data connections in clear.
            self.reply("536 Requested PROT level not supported.")
        else:
            self.reply("200 Protection level set.")

    def do_TYPE(self, arg):
        self.reply("200 Type set.")

    def do_OPTS(self, arg):
        self.reply("200 OK.")

    def do_NOOP(self, arg):
        self.reply("200 OK.")

    def do_PWD(self, arg):
        self.reply('257 "/%s" is the current directory.' % self.cwd)

    def do_CWD(self, arg):
        with LOCK:
            is_file = self.key(arg) in FILES
        if is_file or self.nested(self.key(arg)) == "file":
            self.reply("550 Not a directory.")
        else:
            self.cwd = self.key(arg)
            self.reply("250 OK.")

    def do_MKD(self, arg):
        self.reply('257 "%s" created.' % arg)

    def do_QUIT(self, arg):
        self.reply("221 Bye.")
        return False

    def do_ABOR(self, arg):
        self.reply("226 Aborted.")

    def do_REST(self, arg):
        self.rest = int(arg)
        self.reply("350 Restarting at %d." % self.rest)

    def do_SIZE(self, arg):
        if self.nested(self.key(arg)) == "dir":
            self.reply("550 Not a plain file.")
            return
        if self.is_dir(self.key(arg)):
            # Some servers give a directory's size: its block size.
            self.reply("213 4096")
            return
        data = self.stored(self.key(arg))
        if data is None:
            self.reply("550 No such file.")
        elif self.server.args.claim_size is not None:
            self.reply("213 %d" % self.server.args.claim_size)
        else:
            self.reply("213 %d" % len(data))

    def do_DELE(self, arg):
        with LOCK:
            FILES.pop(self.key(arg), None)
        self.reply("250 Deleted.")

    def do_EPSV(self, arg):
        self.reply("500 EPSV not understood.")

    def do_PORT(self, arg):
        parts = [int(p) for p in arg.split(",")]
        host = ".".join(str(p) for p in parts[:4])
        if self.server.args.late_port:
            threading.Event().wait(self.server.args.late_port)
        if host != self.client_address[0] and not self.server.args.refuse_foreign_transfer:
            self.reply("500 Illegal PORT command.")
            return
        self.active = (host, parts[4] * 256 + parts[5])
        self.reply("200 PORT command successful.")

    def do_PRET(self, arg):
        self.pret = arg
        self.reply("200 OK, will PASV for: " + arg)

    def do_PASV(self, arg):
        # drftpd: PASV without PRET is refused.
        if self.server.args.require_pret and not self.pret:
            self.reply("500 You need to use a client supporting PRET (PRE Transfer) to use PASV")
            return
        self.pret = None
        own = self.request.getsockname()[0]
        listener = socket.socket()
        listener.bind((own, 0))
        listener.listen(1)
        self.passive = listener
        host, port = own, listener.getsockname()[1]
        if self.server.args.second_pasv_reply:
            def second_reply():
                if id(listener) not in self.used_listeners:
                    self.log("second reply to PASV")
                    self.reply("550 Requested action not taken.")
            timer = threading.Timer(self.server.args.second_pasv_reply, second_reply)
            timer.daemon = True
            timer.start()
        if self.server.args.pasv_host:
            host, port = self.server.args.pasv_host, self.server.args.pasv_port
        if self.server.args.pasv_lie_host:
            host = self.server.args.pasv_lie_host
        self.reply(
            "227 Entering Passive Mode (%s,%d,%d)."
            % (host.replace(".", ","), port // 256, port % 256)
        )

    def data_connection(self):
        """The data connection, or None after a silent refusal."""
        if self.active:
            target, self.active = self.active, None
            if self.server.args.refuse_foreign_transfer and target[0] != self.client_address[0]:
                self.log("refused the transfer to foreign %s" % target[0])
                self.reply("550 Remote addresses do not match.")
                return None
            return socket.create_connection(target, timeout=10)
        if not self.passive:
            self.reply("425 Use PASV or PORT first.")
            return None
        listener, self.passive = self.passive, None
        self.used_listeners.add(id(listener))
        listener.settimeout(30)
        try:
            conn, peer = listener.accept()
        except OSError:
            self.reply("425 No data connection.")
            return None
        finally:
            listener.close()
        if self.server.args.refuse_foreign_transfer and peer[0] != self.client_address[0]:
            conn.close()
            self.log("refused the transfer from foreign %s" % peer[0])
            self.reply("550 Remote addresses do not match.")
            return None
        if self.server.args.silent_foreign and peer[0] != self.client_address[0]:
            conn.close()
            self.log("closed a data connection from foreign %s silently" % peer[0])
            # Like Pure-FTPd: no reply at all; the client must time out.
            return False
        return conn

    def receive(self, name, append):
        conn = self.data_connection()
        if conn is False:
            return
        if conn is None:
            return
        key = self.key(name)
        with LOCK:
            old = FILES.get(key, b"")
            if append:
                data = bytearray(old)
            elif self.rest:
                data = bytearray(old[: self.rest])
            else:
                data = bytearray()
            FILES[key] = bytes(data)
        self.rest = 0
        self.reply("150 Ok to send data.")
        limit = self.server.args.full_after
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            if limit is not None and STORED[0] + len(chunk) > limit:
                room = max(0, limit - STORED[0])
                data.extend(chunk[:room])
                STORED[0] += room
                with LOCK:
                    FILES[key] = bytes(data)
                conn.close()
                self.reply("452 Insufficient storage space.")
                return
            data.extend(chunk)
            STORED[0] += len(chunk)
        conn.close()
        with LOCK:
            FILES[key] = bytes(data)
        self.reply("226 Transfer complete.")

    def do_MLSD(self, arg):
        wanted = self.key(arg) if arg else self.cwd
        if self.nested(wanted) == "dir":
            conn = self.data_connection()
            if not conn:
                return
            self.reply("150 Here comes the listing.")
            conn.sendall(self.nested_listing(wanted, True).encode())
            conn.close()
            self.reply("226 Listing sent.")
            return
        conn = self.data_connection()
        if not conn:
            return
        self.reply("150 Here comes the listing.")
        if self.server.args.endless_listing:
            # Entries without end (or --listing-entries of them), until
            # the client stops reading.
            limit = self.server.args.listing_entries
            pad = "n" * max(0, self.server.args.listing_name_length - 8)
            n = 0
            try:
                while limit is None or n < limit:
                    # About 1 MiB at a time, whatever the names' length.
                    block_entries = max(1, 10000 * 8 // max(8, len(pad) + 8))
                    count = block_entries if limit is None else min(block_entries, limit - n)
                    block = "".join(
                        "type=file;size=1; f%07d%s\r\n" % (i, pad) for i in range(n, n + count)
                    )
                    conn.sendall(block.encode())
                    n += count
            except OSError:
                self.log("endless listing stopped after %d entries" % n)
                conn.close()
                self.reply("426 Connection closed; transfer aborted.")
                return
            conn.close()
            self.reply("226 Listing sent.")
            return
        lines = [
            "type=file;size=5; ../../escape.txt",
            "type=file;size=5; a/b.txt",
            "type=dir; ..",
            "type=file;size=5; /etc/passwd",
        ]
        if self.server.args.escape_names:
            # Terminal attacks in names: a colour, a clipboard write (OSC
            # 52), a window title (OSC 0), a C1 CSI, a bidi override.
            lines += [
                "type=file;size=5; gone\x1b[31mred",
                "type=file;size=5; ../\x1b]52;c;QUFBQQ==\x07clip",
                "type=file;size=5; ../\x1b]0;owned\x07title",
                "type=file;size=5; c1\u009b31mred",
                "type=file;size=5; \u202etxt.exe",
            ]
        with LOCK:
            names = sorted(FILES)
        lines += ["type=file;size=%d; %s" % (len(FILES[n]), n) for n in names]
        conn.sendall(("\r\n".join(lines) + "\r\n").encode("utf-8"))
        conn.close()
        self.reply("226 Listing sent.")

    def do_SYST(self, arg):
        family = self.server.args.listing_family
        syst = FAMILIES[family][0] if family else None
        if syst is None:
            self.reply("502 Command not implemented.")
        else:
            self.reply("215 " + syst)

    def do_LIST(self, arg):
        family = self.server.args.listing_family
        dirs = [d.strip("/") for d in self.server.args.dir]
        words = [w for w in arg.split() if not w.startswith("-")]
        wanted = self.key(words[-1]) if words else self.cwd
        if self.nested(wanted) == "dir":
            conn = self.data_connection()
            if not conn:
                return
            self.reply("150 Here comes the listing.")
            conn.sendall(self.nested_listing(wanted, False).encode())
            conn.close()
            self.reply("226 Listing sent.")
            return
        if wanted in dirs:
            conn = self.data_connection()
            if not conn:
                return
            self.reply("150 Here comes the listing.")
            with LOCK:
                inside = sorted((k, len(v)) for k, v in FILES.items() if k.startswith(wanted + "/"))
            body = "".join(
                "-rw-r--r--   1 ftp      ftp      %8d Jan 01  2024 %s\r\n" % (size, name[len(wanted) + 1 :])
                for name, size in inside
            )
            conn.sendall(body.encode("latin-1"))
            conn.close()
            self.reply("226 Listing sent.")
            return
        if not family:
            self.reply("502 Command not implemented.")
            return
        conn = self.data_connection()
        if not conn:
            return
        self.reply("150 Here comes the listing.")
        body = b"".join(
            (line if isinstance(line, bytes) else line.encode("latin-1"))
            + b"\r\n"
            for line in FAMILIES[family][1])
        conn.sendall(body)
        conn.close()
        self.reply("226 Listing sent.")

    def do_STOR(self, arg):
        self.receive(arg, False)

    def do_APPE(self, arg):
        self.receive(arg, True)

    def do_RETR(self, arg):
        if self.key(arg) in [u.strip("/") for u in self.server.args.unreadable]:
            self.reply("550 Failed to open file.")
            return
        if self.is_dir(self.key(arg)):
            self.reply("550 %s: is a directory." % arg)
            return
        data = self.stored(self.key(arg))
        if data is None:
            self.reply("550 No such file.")
            return
        conn = self.data_connection()
        if not conn:
            return
        if self.server.args.stall_data:
            # The data connection is open and says nothing, and neither
            # does the server: until the client gives up.
            self.reply("150 Opening data connection.")
            self.log("stalling RETR")
            threading.Event().wait(600)
            return
        self.reply("150 Opening data connection.")
        body = data[self.rest :]
        self.rest = 0
        if self.server.args.drop_after is not None and len(body) > self.server.args.drop_after:
            conn.sendall(body[: self.server.args.drop_after])
            conn.close()
            self.reply("426 Connection closed; transfer aborted.")
            return
        if self.server.args.endless_data:
            chunk = bytes(65536)
            try:
                while True:
                    conn.sendall(chunk)
            except OSError:
                self.log("endless data stopped by the client")
                conn.close()
                self.reply("426 Connection closed; transfer aborted.")
                return
        if self.server.args.trickle:
            try:
                for at in range(0, len(body), 4096):
                    conn.sendall(body[at : at + 4096])
                    threading.Event().wait(0.05)
            except OSError:
                conn.close()
                self.reply("426 Connection closed; transfer aborted.")
                return
        else:
            conn.sendall(body)
        conn.close()
        self.reply("226 Transfer complete.")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pasv-host", default="")
    parser.add_argument("--pasv-port", type=int, default=0)
    parser.add_argument("--silent-foreign", action="store_true")
    parser.add_argument("--full-after", type=int, default=None)
    parser.add_argument("--seed", action="append", default=[])
    parser.add_argument("--xsha256", action="store_true")
    parser.add_argument("--evil-listing", action="store_true")
    parser.add_argument("--wrong-hash", action="store_true")
    parser.add_argument("--require-pret", action="store_true")
    parser.add_argument("--listing-family", choices=sorted(FAMILIES), default="")
    parser.add_argument("--second-pasv-reply", type=float, default=0)
    parser.add_argument("--late-port", type=float, default=0)
    parser.add_argument("--refuse-foreign-transfer", action="store_true")
    parser.add_argument("--dir", action="append", default=[])
    parser.add_argument("--unreadable", action="append", default=[])
    parser.add_argument("--stall-data", action="store_true")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    parser.add_argument("--refuse-prot", action="store_true")
    parser.add_argument("--escape-names", action="store_true")
    parser.add_argument("--pasv-lie-host", default="")
    parser.add_argument("--endless-data", action="store_true")
    parser.add_argument("--drop-after", type=int, default=None)
    parser.add_argument("--self-nesting", default="")
    parser.add_argument("--claim-size", type=int, default=None)
    parser.add_argument("--trickle", action="store_true")
    parser.add_argument("--endless-listing", action="store_true")
    parser.add_argument("--listing-entries", type=int, default=None)
    parser.add_argument("--listing-name-length", type=int, default=8)
    parser.add_argument("--home", default="/")
    parser.add_argument("--log", default="")
    args = parser.parse_args()
    for spec in args.seed:
        name, _, size = spec.rpartition(":")
        FILES[name.lstrip("/")] = bytes(i % 251 for i in range(int(size)))
    server = Server((args.host, args.port), Handler)
    server.args = args
    print("ready %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
