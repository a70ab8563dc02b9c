#!/usr/bin/env python3
"""A pyftpdlib server for fxpc's integration tests.

Started by tests/common/mod.rs. Prints "ready <port>" on stdout once it is
listening (with --port 0 the kernel picks the port, so there is no race), then
serves until killed.
"""

import argparse
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

PERMS = "elradfmwMT"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--root", required=True)
    parser.add_argument("--user", default="fxpc")
    parser.add_argument("--password", default="fxpc")
    parser.add_argument(
        "--fxp",
        action="store_true",
        help="accept data connections from, and PORT to, foreign addresses",
    )
    parser.add_argument(
        "--passive-ports",
        default="",
        help="passive port range as MIN-MAX (default: any free port)",
    )
    parser.add_argument("--log", default="", help="protocol log file")
    parser.add_argument("--tls-cert", default="", help="FTPS: certificate (PEM)")
    parser.add_argument("--tls-key", default="", help="FTPS: its key (PEM)")
    parser.add_argument(
        "--tls-required",
        action="store_true",
        help="refuse logins and transfers outside TLS",
    )
    args = parser.parse_args()

    if args.log:
        logging.basicConfig(
            filename=args.log,
            level=logging.DEBUG,
            format="%(asctime)s %(message)s",
        )
    else:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm=PERMS)
    # pyftpdlib warns about write permissions for anonymous users; the tests
    # want exactly that.
    authorizer.add_anonymous(args.root, perm=PERMS)

    base = FTPHandler
    if args.tls_cert:
        # pyftpdlib's FTPS handler needs pyOpenSSL.
        from pyftpdlib.handlers import TLS_FTPHandler

        base = TLS_FTPHandler

    class Handler(base):
        pass

    if args.tls_cert:
        Handler.certfile = args.tls_cert
        Handler.keyfile = args.tls_key
        Handler.tls_control_required = args.tls_required
        Handler.tls_data_required = args.tls_required

    Handler.authorizer = authorizer
    Handler.permit_foreign_addresses = args.fxp
    Handler.banner = "pyftpdlib test server ready."
    if args.passive_ports:
        low, high = (int(p) for p in args.passive_ports.split("-", 1))
        Handler.passive_ports = range(low, high + 1)

    server = ThreadedFTPServer((args.host, args.port), Handler)
    port = server.socket.getsockname()[1]
    print(f"ready {port}", flush=True)
    try:
        server.serve_forever(handle_exit=True)
    finally:
        server.close_all()


if __name__ == "__main__":
    main()
