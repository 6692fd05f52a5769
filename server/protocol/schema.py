"""The protocol as one JSON Schema document (draft 2020-12): every result
model under `$defs`, plus the method and command names. `python -m
server.protocol.schema` prints it."""

from __future__ import annotations

import json

from pydantic.json_schema import models_json_schema

from server.protocol.models import COMMANDS, METHODS, RESULTS


def bundle() -> dict:
    _, schema = models_json_schema([(model, "validation") for model in RESULTS], ref_template="#/$defs/{model}",
                                   title="codemeld protocol")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["x-methods"] = dict(METHODS)
    schema["x-commands"] = dict(COMMANDS)
    schema["x-order"] = [model.__name__ for model in RESULTS]
    return schema


if __name__ == "__main__":
    print(json.dumps(bundle(), indent=1, sort_keys=True))
