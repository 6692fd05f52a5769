"""A small client for OpenAI-compatible chat-completions endpoints (Ollama,
llama.cpp server, vLLM, LM Studio, OpenAI...), on the standard library.

Why stdlib `urllib`: one POST with JSON, optionally read as server-sent
events, does not justify a dependency, and the index must keep working on a
machine with nothing but the base install. Nothing is sent anywhere unless
a base URL is configured (init options or `CODEMELD_LLM_BASE_URL`).

Failures are `LLMError`s with a message a person can act on ("unreachable",
"timed out after 30 s", "HTTP 401 ..."); the explain service catches them
and falls back to the structural explanation, saying why.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Mapping

log = logging.getLogger(__name__)

ENV_BASE_URL = "CODEMELD_LLM_BASE_URL"
ENV_MODEL = "CODEMELD_LLM_MODEL"
ENV_API_KEY = "CODEMELD_LLM_API_KEY"
ENV_TIMEOUT = "CODEMELD_LLM_TIMEOUT"
_RETRY_STATUSES = (408, 409, 425, 429, 500, 502, 503, 504)
_MAX_BACKOFF = 8.0


class LLMError(RuntimeError):
    """The endpoint could not produce an answer; the message says why."""


@dataclass(frozen=True, slots=True)
class LLMConfig:
    base_url: str  # ends before /chat/completions, e.g. http://localhost:11434/v1
    model: str
    api_key: str | None = None
    timeout: float = 60.0  # seconds per connect/read; a local model's first token can be slow
    retries: int = 2  # extra attempts after the first, for connection errors, 429 and 5xx
    backoff: float = 0.5  # first retry delay in seconds, doubled each time
    max_tokens: int = 700
    temperature: float = 0.2

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "LLMConfig | None":
        return cls.resolve(None, env)

    @classmethod
    def resolve(cls, options: Mapping | None = None, env: Mapping[str, str] | None = None) -> "LLMConfig | None":
        """From initialization options (`{"baseUrl", "model", "apiKey",
        "timeout", "retries", "maxTokens"}`, or those nested under "llm"),
        then the environment. None when no base URL is set: no LLM."""
        env = os.environ if env is None else env
        opts = dict(options or {})
        if isinstance(opts.get("llm"), Mapping):
            opts = dict(opts["llm"])

        def pick(*keys: str) -> object:
            for key in keys:
                value = opts.get(key)
                if value not in (None, ""):
                    return value
            return None

        base_url = pick("baseUrl", "base_url") or env.get(ENV_BASE_URL, "").strip()
        if not base_url:
            return None
        config = cls(base_url=str(base_url), model=str(pick("model") or env.get(ENV_MODEL, "")).strip(),
                     api_key=(pick("apiKey", "api_key") or env.get(ENV_API_KEY) or None))
        timeout = pick("timeout") or env.get(ENV_TIMEOUT)
        if timeout:
            config = replace(config, timeout=float(timeout))
        if pick("retries") is not None:
            config = replace(config, retries=int(pick("retries")))
        if pick("maxTokens", "max_tokens") is not None:
            config = replace(config, max_tokens=int(pick("maxTokens", "max_tokens")))
        return config


Opener = Callable[..., object]  # urllib.request.urlopen's shape, replaceable in tests


def _redacted(messages: list[dict]) -> list[dict]:
    """Every message with secret-looking literals replaced (redact.py): the one
    door all text passes on its way to a model."""
    from indexer.explain.redact import redact

    out, total = [], 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            content, count = redact(content)
            total += count
            message = {**message, "content": content}
        out.append(message)
    if total:
        log.info("redacted %d secret-looking literal(s) before sending to the model", total)
    return out


class ChatClient:
    def __init__(self, config: LLMConfig, opener: Opener | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.config = config
        if opener is None:
            # Here, not at the top: urllib.request brings http.client, email
            # and ssl, which every server start paid for before its first
            # answer, explanation or not (issue 17, warm start).
            import urllib.request

            opener = urllib.request.urlopen
        self._open = opener
        self._sleep = sleep

    # -- public ------------------------------------------------------------------

    def complete(self, messages: list[dict]) -> str:
        """The whole answer text."""
        with self._post(messages, stream=False) as response:
            raw = response.read()
        try:
            payload = json.loads(raw)
            content = payload["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"{self._name()} answered something that is not a chat completion:"
                           f" {raw[:200]!r}") from exc
        if not isinstance(content, str) or not content.strip():
            raise LLMError(f"{self._name()} returned an empty answer")
        return content

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """Text deltas as the model produces them (server-sent events).

        Retries happen only before the first delta: once text has reached the
        caller, restarting would repeat it."""
        response = self._post(messages, stream=True)
        produced = False
        try:
            content_type = (response.headers.get("Content-Type") or "") if hasattr(response, "headers") else ""
            if "text/event-stream" not in content_type and content_type.startswith("application/json"):
                # Some servers ignore "stream": answer in one piece.
                payload = json.loads(response.read())
                yield payload["choices"][0]["message"]["content"]
                return
            for raw_line in response:
                line = raw_line.decode("utf-8", "replace").strip()
                if not line or line.startswith(":") or not line.startswith("data:"):
                    continue  # blank separators, SSE comments/keep-alives, event:/id: fields
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    chunk = json.loads(data)
                except ValueError as exc:
                    raise LLMError(f"{self._name()} sent a malformed stream chunk: {data[:120]!r}") from exc
                if "error" in chunk:
                    raise LLMError(f"{self._name()} reported an error: {chunk['error']}")
                for choice in chunk.get("choices") or ():
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta:
                        produced = True
                        yield delta
        except (socket.timeout, TimeoutError) as exc:
            raise LLMError(f"{self._name()} stopped sending for {self.config.timeout:g} s"
                           f"{' mid-answer' if produced else ''}") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"{self._name()} answered something that is not a chat completion") from exc
        finally:
            response.close()

    # -- transport -----------------------------------------------------------------

    def _name(self) -> str:
        return f"LLM endpoint {self.config.base_url}"

    def _request(self, messages: list[dict], stream: bool) -> urllib.request.Request:
        import urllib.request

        if not self.config.model:
            raise LLMError(f"no model configured for {self.config.base_url} (set {ENV_MODEL} or the"
                           " 'model' initialization option)")
        messages = _redacted(messages)
        body = {"model": self.config.model, "messages": messages, "stream": stream,
                "temperature": self.config.temperature, "max_tokens": self.config.max_tokens}
        headers = {"Content-Type": "application/json",
                   "Accept": "text/event-stream" if stream else "application/json",
                   "User-Agent": "codemeld"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return urllib.request.Request(self.config.endpoint, data=json.dumps(body).encode("utf-8"),
                                      headers=headers, method="POST")

    def _post(self, messages: list[dict], stream: bool):
        import urllib.error

        request = self._request(messages, stream)
        attempts = max(0, self.config.retries) + 1
        last: LLMError | None = None
        for attempt in range(attempts):
            if attempt:
                delay = min(_MAX_BACKOFF, self.config.backoff * 2 ** (attempt - 1))
                self._sleep(delay * (1 + random.random() * 0.1))  # a little jitter: clients do not retry in lockstep
            try:
                return self._open(request, timeout=self.config.timeout)
            except urllib.error.HTTPError as exc:
                detail = _error_detail(exc)
                last = LLMError(f"{self._name()} answered HTTP {exc.code}{': ' + detail if detail else ''}")
                if exc.code not in _RETRY_STATUSES:
                    raise last from exc
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, (socket.timeout, TimeoutError)):
                    last = LLMError(f"{self._name()} timed out after {self.config.timeout:g} s")
                else:
                    last = LLMError(f"{self._name()} is unreachable ({reason})")
            except (socket.timeout, TimeoutError):
                last = LLMError(f"{self._name()} timed out after {self.config.timeout:g} s")
            except (ConnectionError, OSError) as exc:
                last = LLMError(f"{self._name()} is unreachable ({exc})")
            log.info("%s (attempt %d of %d)", last, attempt + 1, attempts)
        assert last is not None
        if attempts > 1:
            raise LLMError(f"{last} (after {attempts} attempts)")
        raise last


def _error_detail(exc: urllib.error.HTTPError) -> str:  # noqa: F821  (annotation only: imported where raised)
    """The server's own error message when it sent one (OpenAI style or plain)."""
    try:
        raw = exc.read()[:2000]
    except Exception:
        return exc.reason if isinstance(exc.reason, str) else ""
    try:
        payload = json.loads(raw)
        error = payload.get("error", payload)
        if isinstance(error, dict):
            return str(error.get("message") or error)[:300]
        return str(error)[:300]
    except (ValueError, AttributeError):
        return raw.decode("utf-8", "replace").strip()[:300]
