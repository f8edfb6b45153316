"""Which IP addresses Keyhole may call: public unicast only on deployed stages, loopback only on the
local and test stages (`is_loopback_address`, `is_loopback_host`). Pure functions.

`ipaddress.is_global` alone is not enough (and differs between Python releases): IPv6 has several
ways to *carry* an IPv4 address, and a network that routes them reaches that IPv4 address. Each form
is judged by the address it carries, or refused outright where that address cannot be known:

| form | prefix | decision |
|---|---|---|
| IPv4-mapped | `::ffff:0:0/96` | the embedded IPv4 address decides |
| NAT64, well-known prefix (RFC 6052) | `64:ff9b::/96` | the embedded IPv4 address decides |
| NAT64, local-use prefix (RFC 8215) | `64:ff9b:1::/48` | refused (the operator's translator, embedding unknown) |
| 6to4 (RFC 3056) | `2002::/16` | the embedded IPv4 address decides |
| Teredo (RFC 4380) | `2001::/32` | refused (tunnels to an obfuscated client address) |
| IPv4-compatible, and the rest of `::/8` | `::/8` | refused (deprecated, or unspecified/loopback) |

Everything else must be `is_global` and not multicast; IPv4 the same. A scoped address
(`fe80::1%eth0`) is link-local and refused.
"""

from __future__ import annotations

import ipaddress
import socket
import unicodedata

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_RESERVED_LOW = ipaddress.ip_network("::/8")  # unspecified, loopback, IPv4-compatible, ...
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated (RFC 3879), still routed inside some networks

# Names that only ever resolve inside a network (RFC 6761, 6762, 8375 and common internal zones).
_INTERNAL_NAMES = ("localhost",)
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet")


def parse_address(text: str) -> IPAddress | None:
    """An IP address as a socket would use it, or None. A zone (`%eth0`) marks a scoped address."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if "%" in text:
        try:
            # Only link-local (and multicast) addresses take a zone; keep the address so it is refused.
            return ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return None
    return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries in a form that routes to it (mapped, NAT64, 6to4)."""
    if address in _IPV4_MAPPED:
        return address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _SIX_TO_FOUR:
        return address.sixtofour
    return None


def is_public_address(address: str | IPAddress) -> bool:
    """Whether Keyhole may connect to `address` from a deployed stage."""
    parsed = parse_address(address) if isinstance(address, str) else address
    if parsed is None:
        return False
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.scope_id or (isinstance(address, str) and "%" in address):
            return False
        carried = embedded_ipv4(parsed)
        if carried is not None:
            return _public_ipv4(carried)
        if any(parsed in net for net in (_NAT64_LOCAL_USE, _TEREDO, _RESERVED_LOW, _SITE_LOCAL)):
            return False
        return parsed.is_global and not parsed.is_multicast
    return _public_ipv4(parsed)


def _public_ipv4(address: ipaddress.IPv4Address) -> bool:
    return address.is_global and not address.is_multicast and not address.is_reserved


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names literally, in any spelling a resolver accepts: `[::1]`,
    `127.0.0.1`, and the shorthand IPv4 forms (`127.1`, `0x7f.1`, `0177.0.0.1`, `2130706433`)."""
    bare = host.strip("[]").rstrip(".")
    parsed = parse_address(bare)
    if parsed is not None:
        return parsed
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


def is_internal_host(host: str) -> bool:
    """Hosts a URL may never name on a deployed stage: literal non-public addresses (any spelling)
    and names that only resolve inside a network. A public-looking name can still resolve inside;
    that is checked against the DNS answers when connecting (`transport.vetted_address`)."""
    bare = host.strip("[]").rstrip(".").lower()
    literal = literal_address(bare)
    if literal is not None:
        return not is_public_address(literal)
    return bare in _INTERNAL_NAMES or bare.endswith(_INTERNAL_SUFFIXES) or "." not in bare


def is_loopback_address(address: str | IPAddress) -> bool:
    """Whether `address` is this machine's own: `127.0.0.0/8` or `::1` (what the local and test
    stages may call; never link-local, private, metadata or any other address)."""
    parsed = parse_address(address) if isinstance(address, str) else address
    if parsed is None or (isinstance(address, str) and "%" in address):
        return False
    if isinstance(parsed, ipaddress.IPv6Address):
        return parsed == ipaddress.IPv6Address("::1")
    return parsed in _IPV4_LOOPBACK


_IPV4_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_SUFFIX = ".localhost"


def is_loopback_name(host: str) -> bool:
    """`localhost` and `*.localhost`: names that always mean this machine (RFC 6761, 6.3)."""
    bare = host.rstrip(".").lower()
    return bare in LOOPBACK_NAMES or bare.endswith(LOOPBACK_SUFFIX)


def is_loopback_host(host: str) -> bool:
    """Hosts a URL may name on the local and test stages: a loopback address in any spelling a
    resolver accepts, `localhost` or `*.localhost`."""
    bare = host.strip("[]").rstrip(".").lower()
    literal = literal_address(bare)
    if literal is not None:
        return is_loopback_address(literal)
    return is_loopback_name(bare)


def ascii_host(host: str) -> str | None:
    """The host as a resolver and a TLS library will read it (IDNA, which folds fullwidth digits
    and dots, circled digits and other compatibility forms), or None when it cannot be a host name.

    A host with a non-ASCII digit (fullwidth `127`, circled digits, Arabic-Indic digits), or whose
    IDNA form is an IP address in any spelling, is None too: an address is written in ASCII, and
    one that is not would pass a check of the name and reach the address it folds into."""
    if host.isascii():
        return host
    if any(unicodedata.category(ch).startswith("N") for ch in host if not ch.isascii()):
        return None
    try:
        folded = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if literal_address(folded) is not None:
        return None
    return folded
