#!/usr/bin/python3
"""TCP <-> unix socket forwarder between the host's loopback and a guest's network namespace.

A guest lives in a network namespace of its own: its 127.0.0.1 is not the host's. A unix socket in
the file system is reachable from both sides, so each forwarded port is carried by two halves:

    host:   forward.py unix-to-tcp SOCK=PORT ...   listen on SOCK, connect to 127.0.0.1:PORT
    guest:  forward.py tcp-to-unix PORT=SOCK ...   listen on 127.0.0.1:PORT, connect to SOCK

--ready FILE is written once every listener is up, so the caller knows when to go on.
Stdlib only (Debian's /usr/bin/python3); one process serves any number of ports.
"""
import argparse
import asyncio
import os
import signal
import sys

CHUNK = 65536


def log(msg):
    print(f"forward[{os.getpid()}]: {msg}", file=sys.stderr, flush=True)


async def pipe(reader, writer):
    """Copy one direction until EOF, then half-close so the other direction can finish."""
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


async def splice(client_reader, client_writer, connect, label):
    """One accepted connection: open the other end, copy both ways, close both."""
    # One line per connection: the harness reads these (the agent reached its broker), so do people.
    log(f"accepted {label}")
    try:
        up_reader, up_writer = await connect()
    except OSError as e:
        log(f"{label}: cannot connect: {e}")
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))
    for w in (client_writer, up_writer):
        try:
            w.close()
            await w.wait_closed()
        except (ConnectionError, OSError):
            pass


async def serve_unix_to_tcp(sock, port):
    # A stale socket file from a killed run would make bind fail.
    if os.path.exists(sock):
        os.unlink(sock)
    label = f"{sock} -> 127.0.0.1:{port}"
    server = await asyncio.start_unix_server(
        lambda r, w: splice(r, w, lambda: asyncio.open_connection("127.0.0.1", port), label), path=sock)
    os.chmod(sock, 0o600)
    log(f"listening: {label}")
    return server


async def serve_tcp_to_unix(port, sock):
    label = f"127.0.0.1:{port} -> {sock}"
    server = await asyncio.start_server(
        lambda r, w: splice(r, w, lambda: asyncio.open_unix_connection(sock), label),
        host="127.0.0.1", port=port, reuse_address=True)
    log(f"listening: {label}")
    return server


def parse_pairs(mode, pairs):
    """'SOCK=PORT' (unix-to-tcp) or 'PORT=SOCK' (tcp-to-unix) into (sock, port) tuples."""
    out = []
    for p in pairs:
        left, sep, right = p.partition("=")
        if not sep:
            raise SystemExit(f"forward: {p!r}: expected {'SOCK=PORT' if mode == 'unix-to-tcp' else 'PORT=SOCK'}")
        sock, port = (left, right) if mode == "unix-to-tcp" else (right, left)
        out.append((sock, int(port)))
    return out


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["unix-to-tcp", "tcp-to-unix"])
    ap.add_argument("pairs", nargs="+")
    ap.add_argument("--ready", help="file written once all listeners are up")
    args = ap.parse_args()

    servers = []
    for sock, port in parse_pairs(args.mode, args.pairs):
        if args.mode == "unix-to-tcp":
            servers.append(await serve_unix_to_tcp(sock, port))
        else:
            servers.append(await serve_tcp_to_unix(port, sock))
    if args.ready:
        with open(args.ready, "w") as f:
            f.write(f"{os.getpid()}\n")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    log("stopped")


if __name__ == "__main__":
    asyncio.run(main())
