"""A real local stack for HTTP-level tests: moto in server mode (child process) with the infra
template deployed, and `chalice local` (devstack.serve) listening on a free port in a thread.

Use the `http_stack` fixture (tests/conftest.py); it is session-scoped and shared.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator

import boto3

from chalicelib.config import Settings
from chalicelib.opscli import stage_environment
from chalicelib.service import Keyhole
from devstack import infra
from devstack.moto_server import free_port, moto_process, wait_for_port


@dataclass
class HttpStack:
    api_url: str
    aws_endpoint: str
    outputs: Dict[str, str]
    svc: Keyhole
    env: Dict[str, str] = field(default_factory=dict)


def start_stack(*, serial: bool = False) -> Iterator[HttpStack]:
    import app as app_module
    from devstack.serve import serve_in_thread

    with moto_process(serial=serial) as endpoint:
        env = {**stage_environment("local"), "KEYHOLE_AWS_ENDPOINT": endpoint, "KEYHOLE_STAGE": "test",
               "KEYHOLE_TRUST_FORWARDED_FOR": "1",
               "KEYHOLE_PAGE_POLL_SECONDS": "1"}  # open share pages poll every second (browser tests)
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="local", endpoint_url=endpoint)
            os.environ["KEYHOLE_STREAM_ARN"] = outputs["TableStreamArn"]
            svc = Keyhole(Settings.from_env(os.environ))
            app_module.use_service(None)  # the server builds its own from the environment, like Lambda
            port = free_port()
            server, thread = serve_in_thread("127.0.0.1", port, stage="local")
            wait_for_port(port)
            try:
                yield HttpStack(api_url=f"http://127.0.0.1:{port}", aws_endpoint=endpoint, outputs=outputs,
                                svc=svc, env=dict(os.environ))
            finally:
                server.server.shutdown()
                app_module.use_service(None)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
