#!/usr/bin/env python3
"""A TCP proxy that adds latency, for FTP control connections in benchmarks.

    delay_proxy.py --listen HOST:PORT --target HOST:PORT --delay-ms D [--source HOST]

Every chunk read from either side is written to the other side D ms after it
arrived, in order. Each direction is a queue of (due time, chunk): reading
never waits for writing, so the proxy adds latency, not a throughput limit.
An end of stream (FIN) travels the same way, so a half-close reaches the
other side D ms later too.

The proxy accepts at once (the kernel completes the handshake), so it holds
its own connection to the target back by --connect-delay-ms (default 3 D):
a server that speaks first (an FTP greeting) is then heard 4 D = 2 RTT after
the client's connect(), as over a real path (SYN, SYN-ACK, ACK, greeting).

Run it on the address of the server it fronts, on another port, with
--source that same address: the server's PASV reply then names the address the
client connected to (clients that refuse a passive address other than the
control connection's peer, RFC 2577, keep working) and the server sees its
control connections come from the address it expects. Data connections are not
proxied; in a server-to-server (FXP) copy they go from server to server.

Loopback addresses only. Prints "ready" on stdout once listening; exits with
status 0 on SIGTERM or SIGINT, closing every connection.
"""

import argparse
import asyncio
import collections
import ipaddress
import signal
import socket
import sys

# The event loop sleeps in whole milliseconds (epoll), rounding up: a chunk is
# sent when it is due within half a millisecond, so the error is about ±0.5 ms
# rather than +0…1 ms.
EARLY = 0.0005


def loopback(text, what):
    try:
        addr = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}: {text!r} is not an IP address")
    if not addr.is_loopback:
        raise argparse.ArgumentTypeError(f"{what}: {text} is not a loopback address")
    return str(addr)


def host_port(what):
    def parse(text):
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise argparse.ArgumentTypeError(f"{what}: expected HOST:PORT, got {text!r}")
        return loopback(host, what), int(port)

    return parse


def nodelay(transport):
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Pipe:
    """One direction of a session: chunks wait, in order, until they are due."""

    def __init__(self, loop, delay, session):
        self.loop = loop
        self.delay = delay
        self.session = session
        self.queue = collections.deque()  # (due, bytes | None for the end)
        self.dest = None  # the transport written to, once there is one
        self.timer = None
        self.ended = False  # the end of stream was read (or the source lost)
        self.done = False  # the end was passed on, or the destination is gone

    def push(self, data):
        if self.ended or self.done:
            return
        if data is None:
            self.ended = True
        self.queue.append((self.loop.time() + self.delay, data))
        self.arm()

    def attach(self, transport):
        self.dest = transport
        self.arm()

    def arm(self):
        if self.timer is None and self.queue and self.dest is not None and not self.done:
            self.timer = self.loop.call_at(self.queue[0][0] - EARLY, self.flush)

    def flush(self):
        self.timer = None
        limit = self.loop.time() + EARLY
        while self.queue and self.queue[0][0] <= limit:
            _, data = self.queue.popleft()
            if self.dest.is_closing():
                self.kill()
                return
            if data is not None:
                self.dest.write(data)
                continue
            if self.dest.can_write_eof():
                try:
                    self.dest.write_eof()
                except OSError:
                    pass
            self.finish()
            return
        self.arm()

    def kill(self):
        """The destination is gone: drop what waits for it."""
        self.queue.clear()
        self.finish()

    def finish(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.done:
            self.done = True
            self.session.check()


class Session:
    """A client connection and the proxy's connection to the target."""

    def __init__(self, proxy, client):
        self.proxy = proxy
        self.client = client
        self.server = None
        self.up = Pipe(proxy.loop, proxy.delay, self)  # client → target
        self.down = Pipe(proxy.loop, proxy.delay, self)  # target → client
        self.down.attach(client)
        self.closed = False
        proxy.sessions.add(self)
        self.connecting = proxy.loop.create_task(self.connect())

    async def connect(self):
        try:
            await asyncio.sleep(self.proxy.connect_delay)
            transport, _ = await self.proxy.loop.create_connection(
                lambda: Side(self, "server"),
                self.proxy.target[0],
                self.proxy.target[1],
                local_addr=(self.proxy.source, 0) if self.proxy.source else None,
            )
        except OSError as e:
            print(f"delay_proxy: connecting to {self.proxy.target}: {e}", file=sys.stderr)
            self.close(abort=True)
            return
        if self.closed:
            transport.abort()
            return
        self.server = transport
        self.up.attach(transport)

    def received(self, side, data):
        (self.up if side == "client" else self.down).push(data)

    def lost(self, side):
        if side == "client" and self.server is None:
            self.close(abort=True)  # gone before the target was reached
            return
        # What the lost side sent still reaches the other side, then its end;
        # nothing more can be written to the lost side.
        (self.up if side == "client" else self.down).push(None)
        (self.down if side == "client" else self.up).kill()

    def check(self):
        if self.up.done and self.down.done:
            self.close()

    def close(self, abort=False):
        if self.closed:
            return
        self.closed = True
        self.connecting.cancel()
        for pipe in (self.up, self.down):
            pipe.queue.clear()
            pipe.finish()
        for transport in (self.client, self.server):
            if transport is not None:
                transport.abort() if abort else transport.close()
        self.proxy.sessions.discard(self)


class Side(asyncio.Protocol):
    def __init__(self, session, name):
        self.session = session
        self.name = name

    def connection_made(self, transport):
        nodelay(transport)

    def data_received(self, data):
        self.session.received(self.name, data)

    def eof_received(self):
        self.session.received(self.name, None)
        return True  # keep the other half open: the end is passed on later

    def connection_lost(self, exc):
        self.session.lost(self.name)


class Client(Side):
    def __init__(self, proxy):
        super().__init__(None, "client")
        self.proxy = proxy

    def connection_made(self, transport):
        nodelay(transport)
        self.session = Session(self.proxy, transport)


class Proxy:
    def __init__(self, args):
        self.loop = asyncio.get_running_loop()
        self.delay = args.delay_ms / 1000
        cd = args.connect_delay_ms if args.connect_delay_ms is not None else 3 * args.delay_ms
        self.connect_delay = cd / 1000
        self.target = args.target
        self.source = args.source
        self.sessions = set()


async def main(args):
    proxy = Proxy(args)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        proxy.loop.add_signal_handler(sig, stop.set)
    try:
        server = await proxy.loop.create_server(
            lambda: Client(proxy), args.listen[0], args.listen[1], reuse_address=True
        )
    except OSError as e:
        print(f"delay_proxy: listening on {args.listen[0]}:{args.listen[1]}: {e}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    await stop.wait()
    server.close()
    for session in list(proxy.sessions):
        session.close(abort=True)
    await asyncio.sleep(0)  # let the transports' connection_lost run
    return 0


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Loopback addresses only.",
    )
    p.add_argument("--listen", required=True, type=host_port("--listen"), metavar="HOST:PORT")
    p.add_argument("--target", required=True, type=host_port("--target"), metavar="HOST:PORT")
    p.add_argument("--delay-ms", required=True, type=float, metavar="D", help="one-way delay per direction")
    p.add_argument(
        "--source",
        type=lambda t: loopback(t, "--source"),
        metavar="HOST",
        help="local address of the connections to the target (default: the kernel's choice)",
    )
    p.add_argument(
        "--connect-delay-ms",
        type=float,
        metavar="MS",
        help="wait before connecting to the target, modelling the handshake (default 3 D)",
    )
    args = p.parse_args()
    if args.delay_ms < 0 or (args.connect_delay_ms is not None and args.connect_delay_ms < 0):
        p.error("delays must not be negative")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
