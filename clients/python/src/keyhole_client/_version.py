"""The client's version, which follows the API's (`info.version` of Keyhole's OpenAPI document)."""

__version__ = "1.0.0"
API_VERSION = "1.0.0"
