"""Where Kept may call the Bot Connector: only service URLs on an allow-list, never a host a request names.

An activity's `serviceUrl` is where botbuilder sends the reply. Unchecked, anyone who reaches /api/messages can
make Kept POST to any address (it connected to a local port on request). KEPT_TEAMS_SERVICE_URLS lists the URL
prefixes Kept trusts; by default the Bot Framework's public Teams service URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# Teams' Bot Connector in the public cloud and the US government clouds (GCC, GCC High, DoD).
DEFAULT = (
    "https://smba.trafficmanager.net/,https://smba.infra.gcc.teams.microsoft.com/,"
    "https://smba.infra.gov.teams.microsoft.us/,https://smba.infra.dod.teams.microsoft.us/"
)


@dataclass(frozen=True)
class _Prefix:
    scheme: str
    netloc: str
    path: str


def _split(url: str) -> _Prefix | None:
    """Scheme, host[:port] and path, lower-cased where case doesn't matter; None for anything odd."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    return _Prefix(parts.scheme, netloc, parts.path or "/")


@dataclass(frozen=True)
class ServiceUrls:
    """The allow-list: a service URL is allowed when it has a listed prefix's scheme and host, and its path."""

    prefixes: tuple[_Prefix, ...]

    @classmethod
    def parse(cls, listed: str) -> ServiceUrls:
        """From KEPT_TEAMS_SERVICE_URLS (comma-separated). Raises ValueError naming an entry it can't read."""
        prefixes = []
        for entry in filter(None, (item.strip() for item in listed.split(","))):
            prefix = _split(entry)
            if prefix is None:
                raise ValueError(f"{entry!r} is not an http(s) URL")
            path = prefix.path if prefix.path.endswith("/") else prefix.path + "/"
            prefixes.append(_Prefix(prefix.scheme, prefix.netloc, path))
        return cls(tuple(prefixes))

    def allows(self, url: object) -> bool:
        found = _split(url) if isinstance(url, str) and url.isascii() else None
        if found is None:
            return False
        path = found.path if found.path.endswith("/") else found.path + "/"
        return any(
            p.scheme == found.scheme and p.netloc == found.netloc and path.startswith(p.path) for p in self.prefixes
        )
