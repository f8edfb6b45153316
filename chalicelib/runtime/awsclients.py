"""One botocore session per process, and the clients Keyhole creates from it.

A cold Lambda container pays for every AWS client it creates: each new botocore session reads
the SDK's endpoint data (a 1.2 MB JSON file) and walks its data directory again. So the DynamoDB
connection (PynamoDB), the KMS client and the ops tools' clients all come from the one session
here, created on first use.

Two things a first client costs are cut without changing what it resolves to:

- Endpoint data: botocore parses its whole `endpoints.json` (1.2 MB, every service in every
  partition; most of a client's creation time) to resolve the legacy endpoint of one service.
  The session's resolver holds the partitions and the entries of the services Keyhole calls
  (`ENDPOINT_SERVICES`), extracted verbatim from that file into `aws_endpoints.json`
  (`python -m scripts.aws_endpoints` writes it; a test fails when botocore's data changed), and
  hands any other service, or a region outside those partitions, to botocore's full data.
  Request URLs come from each service's endpoint rules in the runtime's botocore, as before.
- The session's data loader answers "does botocore know service X?" by looking at X's directory
only. botocore's own loader answers it by listing every service directory it ships (400+, each
listed again per kind of file: the API model, the endpoint rules), which is most of the file
system work of creating a first client; the answers, the files read and the listing
(`list_available_services`) are the same.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import botocore.loaders
import botocore.regions
import botocore.session

from chalicelib.runtime.stack_headroom import call_with_headroom

if TYPE_CHECKING:
    from chalicelib.runtime.config import Settings

# The endpoint prefixes of the clients Keyhole creates: DynamoDB (PynamoDB), KMS (sealing), S3
# (files: presigned URLs, the worker), and the ops tools' DynamoDB Streams and SQS.
ENDPOINT_SERVICES = ("dynamodb", "kms", "s3", "streams.dynamodb", "sqs")
ENDPOINTS_FILE = Path(__file__).with_name("aws_endpoints.json")

_lock = threading.RLock()  # botocore sessions are not safe for concurrent client creation
_session: botocore.session.Session | None = None


def session() -> botocore.session.Session:
    """The process's botocore session (created on first use, with the scoped loader)."""
    global _session
    with _lock:
        if _session is None:
            _session = _new_session()
        return _session


def client(settings: Settings, service: str, **config: Any) -> Any:
    """A botocore client (not boto3: cheaper to import) honouring the configured endpoint.

    `config` adds botocore `Config` options to Keyhole's (standard retries, short timeouts)."""
    from botocore.config import Config

    shared = session()
    options: dict[str, Any] = {
        "retries": {"max_attempts": 3, "mode": "standard"},
        "connect_timeout": settings.aws_connect_timeout_seconds,
        "read_timeout": settings.aws_read_timeout_seconds,
        **config,
    }
    with _lock:
        # Creating a client parses botocore's data, deep recursion: see stack_headroom.py.
        return call_with_headroom(
            lambda: shared.create_client(
                service, region_name=settings.region, endpoint_url=settings.aws_endpoint, config=Config(**options)
            )
        )


def creation_lock() -> threading.RLock:
    """Held while a client is created from the shared session (PynamoDB creates its own)."""
    return _lock


def _new_session() -> botocore.session.Session:
    new = botocore.session.get_session()
    default = botocore.loaders.create_loader(new.get_config_variable("data_path"))
    loader = ScopedLoader(extra_search_paths=list(default.search_paths), include_default_search_paths=False)
    new.register_component("data_loader", loader)
    # botocore's own hook for its components (there is no public one for the resolver). It is
    # private: should a runtime's botocore lack it, the session keeps botocore's own resolver
    # (slower to create the first client, never wrong).
    register = getattr(new, "_register_internal_component", None)
    if register is not None and _uses_builtin_endpoints(loader) and ENDPOINTS_FILE.exists():
        register(
            "endpoint_resolver",
            SubsetEndpointResolver(json.loads(ENDPOINTS_FILE.read_text()), lambda: _full_resolver(loader)),
        )
    return new


def _uses_builtin_endpoints(loader: botocore.loaders.Loader) -> bool:
    """True unless a data path (AWS_DATA_PATH) brings an `endpoints.json` of its own."""
    for path in loader.search_paths:
        if loader.file_loader.exists(os.path.join(path, "endpoints")):
            return loader.is_builtin_path(os.path.join(path, "endpoints"))
    return False


def _full_resolver(loader: botocore.loaders.Loader) -> botocore.regions.EndpointResolver:
    """What botocore's session builds (session._register_endpoint_resolver)."""
    endpoints, path = loader.load_data_with_path("endpoints")
    return botocore.regions.EndpointResolver(endpoints, uses_builtin_data=loader.is_builtin_path(path))


def endpoints_subset(endpoints: Mapping[str, Any], services: Sequence[str] = ENDPOINT_SERVICES) -> dict[str, Any]:
    """botocore's endpoint data with every partition and only `services`' entries."""
    return {
        **{key: value for key, value in endpoints.items() if key != "partitions"},
        "partitions": [
            {
                **{key: value for key, value in partition.items() if key != "services"},
                "services": {name: partition["services"][name] for name in services if name in partition["services"]},
            }
            for partition in endpoints["partitions"]
        ],
    }


class SubsetEndpointResolver(botocore.regions.EndpointResolver):
    """botocore's legacy endpoint resolver over `endpoints_subset`: creating a client resolves
    one endpoint (`construct_endpoint`), for which the subset answers as the whole file does when
    the service is one of its own and the region belongs to one of its partitions. Anything else
    (other services, unknown regions, listings) goes to the full data, parsed on first need."""

    def __init__(self, subset: Mapping[str, Any], full: Callable[[], botocore.regions.EndpointResolver]) -> None:
        super().__init__(subset, uses_builtin_data=True)  # a verbatim extract of botocore's own file
        self._services = {name for partition in subset["partitions"] for name in partition["services"]}
        self._partitions = [
            (
                set(partition.get("regions", {})),
                re.compile(partition["regionRegex"]) if "regionRegex" in partition else None,
            )
            for partition in subset["partitions"]
        ]
        self._full_factory = full
        self._full: botocore.regions.EndpointResolver | None = None

    def full(self) -> botocore.regions.EndpointResolver:
        if self._full is None:
            self._full = self._full_factory()
        return self._full

    def _covers(self, service_name: str, region_name: str | None) -> bool:
        if service_name not in self._services:
            return False
        return region_name is None or any(
            region_name in regions or (pattern is not None and pattern.match(region_name))
            for regions, pattern in self._partitions
        )

    def construct_endpoint(self, service_name: str, region_name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if self._covers(service_name, region_name):
            return super().construct_endpoint(service_name, region_name, *args, **kwargs)
        return self.full().construct_endpoint(service_name, region_name, *args, **kwargs)

    def get_service_endpoints_data(self, *args: Any, **kwargs: Any) -> Any:
        return self.full().get_service_endpoints_data(*args, **kwargs)

    def get_available_partitions(self) -> Any:
        return self.full().get_available_partitions()

    def get_available_endpoints(self, *args: Any, **kwargs: Any) -> Any:
        return self.full().get_available_endpoints(*args, **kwargs)

    def get_partition_dns_suffix(self, *args: Any, **kwargs: Any) -> Any:
        return self.full().get_partition_dns_suffix(*args, **kwargs)

    def get_partition_for_region(self, region_name: str) -> Any:
        return self.full().get_partition_for_region(region_name)


class ScopedLoader(botocore.loaders.Loader):
    """botocore's loader, checking one service's directory when asked about one service."""

    def list_available_services(self, type_name: str) -> Sequence[str]:
        return _ServiceNames(self, type_name)

    def full_service_list(self, type_name: str) -> list[str]:
        return list(super().list_available_services(type_name))

    def provides(self, service_name: str, type_name: str) -> bool:
        """What `service_name in list_available_services(type_name)` answers, from that service's
        own directories (the same search paths, the same test for a model file)."""
        if not service_name or os.sep in service_name or service_name.startswith("."):
            return False
        for path in self.search_paths:
            directory = os.path.join(path, service_name)
            if not os.path.isdir(directory):
                continue
            for api_version in os.listdir(directory):
                if self.file_loader.exists(os.path.join(directory, api_version, type_name)):
                    return True
        return False


class _ServiceNames(Sequence[str]):
    """The services botocore knows for one kind of file: membership is checked per service,
    the full (sorted) list is computed only if something iterates it (an error message)."""

    def __init__(self, loader: Any, type_name: str) -> None:
        self._loader = loader
        self._type_name = type_name
        self._names: list[str] | None = None
        self._checked: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name not in self._checked:
            self._checked[name] = self._loader.provides(name, self._type_name)
        return self._checked[name]

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = self._loader.full_service_list(self._type_name)
        return self._names

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]
