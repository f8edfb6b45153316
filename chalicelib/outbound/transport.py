"""One outbound HTTP exchange, vetted: what webhook deliveries (and origin proxying) send through.

On deployed stages (`public_only`) the URL must be https, its host is resolved once, every answer
must be a public address (`addresses.is_public_address`), and the connection goes to that vetted
address while SNI, the certificate check and `Host` use the URL's name. A public name that resolves,
or later re-resolves (DNS rebinding), to an address inside the network gets nothing. On the local
and test stages (`public_only` False) the same vetting admits loopback addresses only
(`addresses.is_loopback_address`; `localhost` and `*.localhost` are this machine without asking
DNS): a URL registered before that rule, or a name that resolves elsewhere, gets nothing either.

Requests go through urllib3 (botocore's own HTTP library): one attempt, no redirects followed (a
3xx is the answer), no proxy from the environment, a bounded response body.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import urllib3

from chalicelib.outbound.addresses import is_loopback_address, is_loopback_name, is_public_address
from chalicelib.outbound.exceptions import ConnectFailed, HostNotFound, Refused, TimedOut

Resolver = Callable[[str, int], list[str]]
AddressPolicy = Callable[[str], bool]

NON_PUBLIC = "refused: the host resolves to a non-public address"


@dataclass(frozen=True)
class Answer:
    """The peer's answer: status, headers (lower-case names) and at most `max_body` bytes of body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to for a TCP connection (the system resolver)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def vetted_address(
    host: str, port: int, *, resolve: Resolver = resolve_host, allowed: AddressPolicy = is_public_address
) -> str:
    """The address to connect to, after checking every answer for `host` (literal or DNS name)."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise HostNotFound("host not found") from None
    if not addresses:
        raise HostNotFound("host not found")
    if not all(allowed(address) for address in addresses):
        raise Refused(NON_PUBLIC)
    return addresses[0]


def _this_machine(resolve: Resolver) -> Resolver:
    """`resolve`, except that `localhost` and `*.localhost` are 127.0.0.1 without asking DNS."""

    def resolved(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if is_loopback_name(host) else resolve(host, port)

    return resolved


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    address: str | None = None,
    context: ssl.SSLContext | None = None,
    max_body: int = 4096,
    deadline: float | None = None,
    reuse: bool = False,
) -> Answer:
    """Send once and return the answer (any status); raises an `OutboundError` when there is none.

    `reuse`: keep the connection open for the next request to the same (vetted) address, host
    and port in this process (`_POOLS`); the origin proxy uses it, so a busy container does one TCP
    and TLS handshake per origin rather than one per request.

    `address`: connect there instead of resolving the host again; SNI, the certificate check and
    `Host` still use the URL's name. `deadline` (a `time.monotonic()` value): the whole exchange,
    body included, must end by then (a peer that trickles its body is `TimedOut` too); `timeout`
    still bounds each connect and read.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    pool = (
        _pool(parts.scheme, host, port, address, context)
        if reuse
        else _new_pool(parts.scheme, host, port, address, context)
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    wait = timeout if deadline is None else min(timeout, deadline - time.monotonic())
    try:
        if wait <= 0:
            raise TimedOut("timeout")
        response = pool.urlopen(
            method,
            target,
            body=body,
            headers={**(headers or {}), "host": parts.netloc.rsplit("@", 1)[-1]},
            redirect=False,
            timeout=urllib3.Timeout(connect=wait, read=wait),
            preload_content=False,
        )
        content = _read(response, max_body, timeout, deadline)
        if reuse and len(content) < max_body:
            response.release_conn()  # read to the end: the connection can serve the next request
        else:
            response.close()
        # Repeated headers are joined with ", " (one CSP header per policy stays one policy each).
        names = dict.fromkeys(k.lower() for k in response.headers.keys())
        return Answer(int(response.status), {k: response.headers.get(k, "") for k in names}, content)
    except urllib3.exceptions.NewConnectionError:  # (a subclass of ConnectTimeoutError in urllib3)
        raise ConnectFailed("connection failed (refused or unreachable)") from None
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        raise TimedOut("timeout") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise ConnectFailed(f"connection failed ({type(reason).__name__})") from None
    finally:
        if not reuse:
            pool.close()


# Kept-alive pools for `reuse`, keyed by what the connection is to (least recently used dropped).
_POOLS: OrderedDict[tuple[str, str, int | None, str | None], urllib3.HTTPConnectionPool] = OrderedDict()
_POOLS_LOCK = threading.Lock()
MAX_POOLS = 32


def _pool(
    scheme: str, host: str, port: int | None, address: str | None, context: ssl.SSLContext | None
) -> urllib3.HTTPConnectionPool:
    key = (scheme, host, port, address)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is not None:
            _POOLS.move_to_end(key)
            return pool
    pool = _new_pool(scheme, host, port, address, context, maxsize=4)
    with _POOLS_LOCK:
        _POOLS[key] = pool
        while len(_POOLS) > MAX_POOLS:
            _POOLS.popitem(last=False)[1].close()
    return pool


def _new_pool(
    scheme: str, host: str, port: int | None, address: str | None, context: ssl.SSLContext | None, maxsize: int = 1
) -> urllib3.HTTPConnectionPool:
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address or host,
            port or 443,
            server_hostname=host,
            assert_hostname=host,
            ssl_context=context or ssl.create_default_context(),
            retries=False,
            maxsize=maxsize,
        )
    if scheme == "http":
        return urllib3.HTTPConnectionPool(address or host, port or 80, retries=False, maxsize=maxsize)
    raise Refused("refused: not an http(s) URL")


def _read(response: urllib3.BaseHTTPResponse, max_body: int, timeout: float, deadline: float | None) -> bytes:
    """At most `max_body` bytes of body, and none after `deadline`.

    `read1` returns what one socket read brings (`read(n)` waits for all `n` bytes, so a peer
    trickling a byte at a time would never be cut), and each socket read may wait only for the
    time left before the deadline, so the whole read ends by the deadline plus one scheduling slice.
    """
    if deadline is None:
        return response.read(max_body)
    sock = _socket_of(response)
    chunks: list[bytes] = []
    size = 0
    while size < max_body:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimedOut("timeout")
        if sock is not None and sock.fileno() != -1:  # (-1: the body is complete and its socket closed)
            sock.settimeout(min(timeout, left))
        chunk = response.read1(min(65536, max_body - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _socket_of(response: urllib3.BaseHTTPResponse) -> socket.socket | None:
    """The socket the body arrives on. The connection holds it while kept alive; when the peer will
    close, http.client drops it from the connection and only the response's reader still has it."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is None:
        reader = getattr(getattr(response, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    public_only: bool = True,
    resolve: Resolver = resolve_host,
    allowed: AddressPolicy = is_public_address,
    context: ssl.SSLContext | None = None,
    max_body: int = 4096,
    deadline: float | None = None,
    reuse: bool = False,
) -> Answer:
    """`request` to a vetted address of the URL's host: when `public_only` (every deployed
    stage), https only and public addresses only; otherwise (the local and test stages) loopback
    addresses only."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise Refused("refused: no host")
    if public_only:
        if parts.scheme != "https":
            raise Refused("refused: not an https URL")
        address = vetted_address(parts.hostname, parts.port or 443, resolve=resolve, allowed=allowed)
    else:
        address = vetted_address(
            parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80),
            resolve=_this_machine(resolve),
            allowed=is_loopback_address,
        )
    return request(
        method,
        url,
        body=body,
        headers=headers,
        timeout=timeout,
        address=address,
        context=context,
        max_body=max_body,
        deadline=deadline,
        reuse=reuse,
    )
