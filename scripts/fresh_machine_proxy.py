#!/usr/bin/env python3
"""The way out of fresh-machine-check.sh's private network namespace, for apt and pip only.

The chroot runs in a network namespace of its own, so that its loopback is its own (the host's
PostgreSQL and Redis on 5432/6379 stay out of sight and scripts/services.sh must install and start
its own). Package downloads still have to reach the mirrors:

    proxy UNIX_SOCKET        on the host: a minimal HTTP forward proxy (CONNECT tunnels for https,
                             absolute-URI requests for http) listening on a Unix socket
    relay PORT UNIX_SOCKET   inside the namespace: 127.0.0.1:PORT -> that Unix socket

Standard library only; used by nothing else.
"""

from __future__ import annotations

import asyncio
import os
import sys
import urllib.parse


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _proxy_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            up_reader, up_writer = await asyncio.open_connection(host.strip("[]"), int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
        else:
            # Origin servers accept the absolute form of the request line (RFC 9112 3.2.2), so the
            # request goes on as it came, and so do later requests on the same connection.
            url = urllib.parse.urlsplit(target)
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port or 80)
            up_writer.write(head)
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        writer.write(f"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nX-Reason: {type(exc).__name__}\r\n\r\n".encode())
        writer.close()
        return
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _relay_client(path: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        up_reader, up_writer = await asyncio.open_unix_connection(path)
    except OSError:
        writer.close()
        return
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "proxy":
        if os.path.exists(argv[1]):
            os.unlink(argv[1])
        server = await asyncio.start_unix_server(_proxy_client, argv[1])
    elif len(argv) == 3 and argv[0] == "relay":
        path = argv[2]
        server = await asyncio.start_server(lambda r, w: _relay_client(path, r, w), "127.0.0.1", int(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    async with server:
        await server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
