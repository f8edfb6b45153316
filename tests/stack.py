"""A real local stack for HTTP-level tests: moto in server mode and `chalice local`
(devstack.serve), each in its own child process, with the infra template deployed.

The Chalice server being a separate process matters: PynamoDB binds models at class level, so
one process can talk to one endpoint at a time. Tests get a `Keyhole` bound to the stack's moto
through `stack.svc`, which re-binds the models on every access.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator

import boto3

from chalicelib.runtime.config import Settings
from chalicelib.ops.cli import stage_environment
from chalicelib.service import Keyhole
from chalicelib.storage.store import bind
from devstack import infra
from devstack.moto_server import MotoServer, free_port, moto_server, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class HttpStack:
    api_url: str
    aws_endpoint: str
    outputs: Dict[str, str]
    env: Dict[str, str]
    _svc: Keyhole
    moto: MotoServer
    server_pid: int = 0  # the `chalice local` process (the Lambda handler's stand-in)

    @property
    def svc(self) -> Keyhole:
        bind(self._svc.settings)
        self._svc.store.share_connection()
        return self._svc


def start_stack(*, serial: bool = False) -> Iterator[HttpStack]:
    with moto_server(serial=serial) as moto:
        endpoint = moto.endpoint
        env = {**os.environ, **stage_environment("local"), "KEYHOLE_AWS_ENDPOINT": endpoint, "KEYHOLE_STAGE": "test",
               "KEYHOLE_TRUST_FORWARDED_FOR": "1", "PYTHONUNBUFFERED": "1",
               "KEYHOLE_PAGE_POLL_SECONDS": "1",  # open share pages poll every second (browser tests)
               # a one-request-at-a-time moto queues parallel clients far longer than DynamoDB would
               "KEYHOLE_AWS_READ_TIMEOUT": "120" if serial else "30"}
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="local", endpoint_url=endpoint)
        env["KEYHOLE_STREAM_ARN"] = outputs["TableStreamArn"]
        env["KEYHOLE_FILES_BUCKET"] = outputs["FilesBucketName"]
        svc = Keyhole(Settings.from_env(env))
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "devstack.serve", "--port", str(port), "--stage", "local"],
                                  cwd=ROOT, env=env, stdout=open(os.environ.get("KEYHOLE_TEST_SERVE_LOG", os.devnull), "a"), stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process=server)
            yield HttpStack(api_url=f"http://127.0.0.1:{port}", aws_endpoint=endpoint, outputs=outputs, env=env,
                            _svc=svc, moto=moto, server_pid=server.pid)
        finally:
            stop_process(server)
