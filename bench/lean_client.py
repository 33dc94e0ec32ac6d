"""The ack bench's load generator: keep-alive HTTP/1.1 connections on asyncio's protocol layer, one request in
flight on each.

aiohttp's client costs about 0.4 ms of CPU a request, as much as the servers under test spend answering it: on
a 2-CPU machine it, not the server, capped the rate. This one costs a few tens of microseconds, so the rates
the bench prints are the servers'. It speaks only what the bench needs: a POST with a body, and an answer with
a Content-Length (aiohttp's web.Response always gives one).
"""

from __future__ import annotations

import asyncio


class Closed(ConnectionError):
    """The server closed the connection before answering."""


class LeanConnection(asyncio.Protocol):
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._transport: asyncio.Transport | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> LeanConnection:
        _, protocol = await asyncio.get_running_loop().create_connection(cls, host, port)
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        answer = self._answer()
        if answer is not None and self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(Closed(str(exc or "closed")))
        self._transport = None

    def _answer(self) -> tuple[int, bytes] | None:
        """The status and body of a whole answer at the head of the buffer (taken off it), or None for more."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self._buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise Closed("an answer without a Content-Length")
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop > 0 else None])
        if len(self._buffer) < end + 4 + length:
            return None
        status, body = int(head[9:12]), bytes(self._buffer[end + 4 : end + 4 + length])
        del self._buffer[: end + 4 + length]
        return status, body

    async def post(self, path: str, host: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """Send one POST and wait for its answer: (status, body)."""
        if self._transport is None:
            raise Closed("the connection is closed")
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{lines}\r\n"
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(head.encode() + body)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
