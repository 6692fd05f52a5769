"""Object storage behind one small interface, through obstore (the Rust
`object_store` crate LanceDB itself uses, so both halves of a snapshot read
the same environment: AWS_*, GOOGLE_*, AZURE_* variables and the instance /
workload credential chains). s3:// (any S3-compatible store: set
AWS_ENDPOINT_URL), gs://, az://, file://. codemeld never stores credentials.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from indexer.share import ShareError

SCHEMES = ("s3", "s3a", "gs", "az", "azure", "abfs", "abfss", "file")


def _obstore():
    try:
        import obstore
        import obstore.store
    except ImportError as exc:
        raise ShareError("the shared index needs obstore: pip install 'codemeld[share]'") from exc
    return obstore


def s3_endpoint() -> str | None:
    """The S3 endpoint override from the standard AWS variables."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")


@dataclass
class Location:
    """A snapshot root: `uri` as given, and the object store under it."""

    uri: str
    store: object

    def child_uri(self, key: str) -> str:
        return self.uri.rstrip("/") + "/" + key

    # -- objects ---------------------------------------------------------------

    def put_file(self, key: str, path: Path) -> None:
        obs = _obstore()
        with open(path, "rb") as handle:
            self._call(obs.put, key, handle)

    def put_bytes(self, key: str, data: bytes) -> None:
        self._call(_obstore().put, key, data)

    def get_bytes(self, key: str) -> bytes | None:
        """The object's bytes; None when there is no such object."""
        obs = _obstore()
        try:
            return bytes(self._call(obs.get, key).bytes())
        except FileNotFoundError:
            return None

    def get_file(self, key: str, dest: Path) -> int | None:
        """Stream an object into `dest`; its size, or None when missing
        (then `dest` is not left behind)."""
        with open(dest, "wb") as handle:
            size = self.stream(key, handle.write)
        if size is None:
            Path(dest).unlink(missing_ok=True)
        return size

    def stream(self, key: str, sink) -> int | None:
        """Feed an object's bytes to `sink` as they arrive; its size, or
        None when missing."""
        obs = _obstore()
        try:
            result = self._call(obs.get, key)
        except FileNotFoundError:
            return None
        size = 0
        chunks = iter(result)
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                return size
            except Exception as exc:  # the connection broke mid-download
                raise ShareError(f"object store {self.uri}: reading {key} failed: {_short(exc)}") from exc
            sink(chunk)
            size += len(chunk)

    def delete(self, key: str) -> None:
        try:
            self._call(_obstore().delete, key)
        except FileNotFoundError:
            pass

    def folders(self, prefix: str = "") -> set[str]:
        """Names of the 'folders' directly under `prefix`."""
        result = self._call(_obstore().list_with_delimiter, prefix or None)
        return {p.rstrip("/").rsplit("/", 1)[-1] for p in result["common_prefixes"]}

    def _call(self, fn, *args):
        try:
            return fn(self.store, *args)
        except FileNotFoundError:
            raise
        except Exception as exc:
            if type(exc).__name__ == "NotFoundError":
                raise FileNotFoundError(str(args[0]) if args else "") from exc
            raise ShareError(f"object store {self.uri}: {_short(exc)}") from exc


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:400] + ("..." if len(text) > 400 else "")


def open_location(uri: str, create: bool = False) -> Location:
    parsed = urlparse(uri)
    if parsed.scheme not in SCHEMES:
        raise ShareError(f"unsupported snapshot URI {uri!r}: use s3://, gs://, az:// or file://")
    obs = _obstore()
    try:
        if parsed.scheme == "file":
            path = Path(parsed.path)
            if create:
                path.mkdir(parents=True, exist_ok=True)
            elif not path.is_dir():
                raise ShareError(f"no snapshots at {uri}: {path} is not a folder")
            store = obs.store.LocalStore(path)
        else:
            options = {}
            endpoint = s3_endpoint() if parsed.scheme in ("s3", "s3a") else None
            if endpoint and endpoint.startswith("http://"):
                options["allow_http"] = True
            store = obs.store.from_url(uri, client_options=options or None)
    except ShareError:
        raise
    except Exception as exc:
        raise ShareError(f"cannot open {uri}: {_short(exc)}") from exc
    return Location(uri, store)


def lance_uri(location: Location, key: str) -> tuple[str, dict[str, str]]:
    """Where LanceDB writes a table under this location, and the storage
    options its own object-store support needs (the endpoint, from the same
    AWS variables; credentials it reads from the environment itself)."""
    uri = location.child_uri(key)
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return parsed.path, {}
    options: dict[str, str] = {}
    endpoint = s3_endpoint() if parsed.scheme in ("s3", "s3a") else None
    if endpoint:
        options["aws_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            options["allow_http"] = "true"
    return uri, options
