"""The shared index against a REAL S3-compatible server: moto in server mode
(ThreadedMotoServer: a real HTTP server on 127.0.0.1 and a free port,
started by the test); codemeld's client (obstore, LanceDB) talks S3 to it
over the network stack, unmodified. Slow: a server, git, subprocesses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from indexer.pipeline.index import Indexer
from indexer.graph.query import Graph
from indexer.share import ShareError
from indexer.share.objstore import open_location
from indexer.share.snapshot import GRAPH, MANIFEST, publish, pull

pytestmark = pytest.mark.slow

moto_server = pytest.importorskip("moto.server")

FILES = {
    "shop/__init__.py": "",
    "shop/models.py": "class Item:\n    def price(self):\n        return 1\n",
    "shop/cart.py": "from shop.models import Item\n\n\ndef total(items):\n    return sum(Item().price() for _ in items)\n",
    "app.py": "from shop.cart import total\n\nprint(total([1, 2]))\n",
}


@pytest.fixture(scope="module")
def s3():
    """A bucket on a real S3-protocol server; the endpoint and credentials
    reach codemeld only through the standard AWS environment variables."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/snapshots", method="PUT")).close()
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


@pytest.fixture
def uri(s3, request):
    return f"s3://snapshots/{request.node.name}"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def make_repo(path: Path) -> Path:
    for rel, text in FILES.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "one")
    return path


def index(root: Path, index_dir: Path):
    indexer = Indexer(root, index_dir)
    run = indexer.run()
    indexer.close()
    return run


def cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("codemeld")), *args], capture_output=True, text=True,
                          env=(env or os.environ) | {"HF_HUB_OFFLINE": "1"}, timeout=300)


def test_publish_then_pull_into_a_fresh_clone_with_local_edits(s3, uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    published = cli("index", str(origin), "--index-dir", str(tmp_path / "ci-index"), "--publish", uri, "--json")
    assert published.returncode == 0, published.stderr
    head = git(origin, "rev-parse", "HEAD")
    assert json.loads(published.stdout)["published"]["commit"] == head
    assert json.loads(open_location(uri).get_bytes(f"{head}/{MANIFEST}"))["vectors"] is not None

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    (clone / "shop/models.py").write_text("class Item:\n    def price(self):\n        return 2\n\n    def tax(self):\n        return 0\n")
    (clone / "shop/new.py").write_text("from shop.models import Item\n\nITEM = Item()\n")
    pulled = cli("pull", uri, str(clone), "--index-dir", str(tmp_path / "dev-index"), "--json")
    assert pulled.returncode == 0, pulled.stderr
    result = json.loads(pulled.stdout)
    assert result["error"] is None
    assert result["snapshot"]["commit"] == head and result["snapshot"]["behind"] == 0
    assert result["snapshot"]["vectors"] is True
    # Only what differs from the snapshot was read again.
    assert result["index"]["parsed"] == 2 and result["index"]["unchanged"] == len(FILES) - 1
    graph = Graph(Indexer(clone, tmp_path / "dev-index").store, clone)
    assert graph.symbol("shop.models.Item.tax") is not None
    assert {r.path for r in graph.references("shop.models.Item")} >= {"shop/cart.py", "shop/new.py"}


def test_pull_two_commits_apart(uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    publish(origin, _built(origin, tmp_path / "ci"), uri)
    first = git(origin, "rev-parse", "HEAD")
    (origin / "shop/models.py").write_text("class Item:\n    def price(self):\n        return 3\n")
    git(origin, "commit", "-qam", "two")
    (origin / "app.py").write_text("from shop.cart import total\n\nprint(total([]))\n")
    git(origin, "commit", "-qam", "three")
    pulled = pull(origin, tmp_path / "dev", uri)
    assert (pulled.commit, pulled.behind) == (first, 2)
    run = index(origin, tmp_path / "dev")
    assert run.parsed == 2  # the two files the two commits changed


def test_an_interrupted_upload_is_never_a_snapshot(uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    publish(origin, _built(origin, tmp_path / "ci"), uri)
    first = git(origin, "rev-parse", "HEAD")
    (origin / "app.py").write_text("print(1)\n")
    git(origin, "commit", "-qam", "two")
    second = git(origin, "rev-parse", "HEAD")

    def killed(what: str, _amount: int) -> None:
        if what == "graph":
            raise KeyboardInterrupt  # the CI job dies after uploading the graph

    with pytest.raises(KeyboardInterrupt):
        publish(origin, _built(origin, tmp_path / "ci"), uri, on_step=killed)
    location = open_location(uri)
    assert location.get_bytes(f"{second}/{GRAPH}") is not None
    assert location.get_bytes(f"{second}/{MANIFEST}") is None
    pulled = pull(origin, tmp_path / "dev", uri)
    assert (pulled.commit, pulled.behind) == (first, 1)
    assert any("incomplete upload" in note for note in pulled.notes)


def test_a_corrupt_graph_is_refused_and_the_cli_indexes_locally(uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    publish(origin, _built(origin, tmp_path / "ci"), uri)
    head = git(origin, "rev-parse", "HEAD")
    location = open_location(uri)
    location.put_bytes(f"{head}/{GRAPH}", location.get_bytes(f"{head}/{GRAPH}")[:100])
    with pytest.raises(ShareError, match="corrupt or partial"):
        pull(origin, tmp_path / "dev", uri)
    done = cli("pull", uri, str(origin), "--index-dir", str(tmp_path / "dev"), "--no-embeddings", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "corrupt" in result["error"] and result["index"]["parsed"] == len(FILES)
    assert "indexing locally" in done.stderr


def test_wrong_schema_version(uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    publish(origin, _built(origin, tmp_path / "ci"), uri)
    head = git(origin, "rev-parse", "HEAD")
    location = open_location(uri)
    manifest = json.loads(location.get_bytes(f"{head}/{MANIFEST}"))
    manifest["schemaVersion"] = 999
    location.put_bytes(f"{head}/{MANIFEST}", json.dumps(manifest).encode())
    index(origin, tmp_path / "dev")  # a local index that must survive the refusal
    with pytest.raises(ShareError, match="schema 999"):
        pull(origin, tmp_path / "dev", uri)
    assert Graph(Indexer(origin, tmp_path / "dev").store, origin).symbol("shop.cart.total") is not None


def test_no_snapshot_for_this_history_and_no_network(s3, uri, tmp_path):
    origin = make_repo(tmp_path / "origin")
    with pytest.raises(ShareError, match="no snapshot"):
        pull(origin, tmp_path / "dev", uri)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    done = cli("pull", uri, str(origin), "--index-dir", str(tmp_path / "dev"), "--no-embeddings", "--json",
               env=os.environ | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{dead}"})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["error"] and result["index"]["parsed"] == len(FILES)


def _built(root: Path, index_dir: Path) -> Path:
    index(root, index_dir)
    return index_dir


def test_an_embedding_model_mismatch_keeps_the_graph_and_rebuilds_vectors_locally(uri, tmp_path):
    import lancedb
    import pyarrow as pa

    origin = make_repo(tmp_path / "origin")
    index_dir = _built(origin, tmp_path / "ci")
    lancedb.connect(index_dir / "vectors.lance").create_table("chunks", data=pa.table({"text": ["x"]}))
    published = publish(origin, index_dir, uri, embedding_model="model-a")
    assert published.vector_tables == 1
    same = pull(origin, tmp_path / "same", uri, embedding_model="model-a")
    assert same.vectors and (tmp_path / "same" / "vectors.lance").is_dir()
    other = pull(origin, tmp_path / "other", uri, embedding_model="model-b")
    assert not other.vectors and any("rebuilt locally" in note for note in other.notes)
    assert not (tmp_path / "other" / "vectors.lance").exists()
    assert Graph(Indexer(origin, tmp_path / "other").store, origin).symbol("shop.cart.total") is not None
