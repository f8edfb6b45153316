"""Writes chalicelib/runtime/aws_endpoints.json: botocore's endpoint data for the services Keyhole calls.

Run after upgrading botocore (a test compares the file with the installed botocore's data):
`.venv/bin/python -m scripts.aws_endpoints`. chalicelib/runtime/awsclients.py says why the file exists.
"""

from __future__ import annotations

import json

import botocore.loaders

from chalicelib.runtime.awsclients import ENDPOINTS_FILE, endpoints_subset


def current() -> dict:
    """The subset of the installed botocore's own `endpoints.json`."""
    return endpoints_subset(botocore.loaders.Loader().load_data("endpoints"))


def main() -> None:
    ENDPOINTS_FILE.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n")
    print(f"{ENDPOINTS_FILE}: {ENDPOINTS_FILE.stat().st_size} bytes")


if __name__ == "__main__":
    main()
