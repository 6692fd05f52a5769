"""A tiny OpenAI-compatible chat-completions server for tests.

It stands in for a real endpoint (Ollama, llama.cpp server, vLLM, OpenAI):
it speaks the same wire protocol -- POST {base}/chat/completions with a JSON
body, a JSON completion back, or server-sent events (`data: {...}` chunks
ending with `data: [DONE]`) when the request says `"stream": true` -- and
records every request so tests can check what was sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    path: str
    headers: dict
    body: dict


@dataclass
class Behaviour:
    answer: str = "Parses KEY=VALUE lines into a dict. It strips keys and values."
    delay: float = 0.0  # seconds before answering (timeouts)
    fail_first: int = 0  # answer the first N requests with `fail_status`
    fail_status: int = 503
    status: int = 200  # a status for every request (401: bad key)
    chunk_size: int = 8  # characters per streamed delta


@dataclass
class FakeOpenAI:
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                b = fake.behaviour
                if b.delay:
                    time.sleep(b.delay)
                if self.path != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                if len(fake.requests) <= b.fail_first:
                    return self._json(b.fail_status, {"error": {"message": "model is loading"}})
                if b.status != 200:
                    return self._json(b.status, {"error": {"message": "invalid api key"}})
                if body.get("stream"):
                    return self._stream(body["model"], b.answer, b.chunk_size)
                return self._json(200, {
                    "id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": b.answer}}],
                })

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, model, answer, size):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b": keep-alive comment\n\n")
                first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}], "model": model}
                self.wfile.write(f"data: {json.dumps(first)}\n\n".encode())
                for i in range(0, len(answer), size):
                    chunk = {"choices": [{"index": 0, "delta": {"content": answer[i:i + size]}}], "model": model}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a handler still sleeping (timeout tests) must not hold up stop()
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
