"""What only TypeScript/JavaScript files carry in `FileFacts.extra`."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.languages.base import Compact


@dataclass(slots=True)
class TsFacts(Compact):
    dialect: str = "typescript"  # typescript, typescriptreact, javascript, javascriptreact, json (a config file)
    # export name ("default"; "=" for CommonJS `module.exports`) -> ("local", name)
    # | ("def", qualname) | ("import", specifier, name) | ("val", Expr)
    exports: dict = field(default_factory=dict)
    stars: list = field(default_factory=list)  # specifiers of `export * from "m"`
    config: dict | None = None  # a tsconfig/jsconfig/package.json: what module resolution reads
    skipped: str = ""  # why the file's content was left out (minified, generated)
    # function/method qualname -> the declared type (Expr or None) of each parameter, in order
    params: dict = field(default_factory=dict)
    # declaration merging (see languages/typescript/merging.py): namespace name
    # -> names declared in its body; `declare module "spec"` augmentations as
    # (spec, interface or class name, this file's qualname of it)
    namespaces: dict = field(default_factory=dict)
    augments: list = field(default_factory=list)
    # type alias qualname -> its type parameters' names, in order (`F<A, B>` binds them)
    tparams: dict = field(default_factory=dict)
    # member qualname -> the literal its type is (`ok: true` -> "true"), for discriminated unions
    literals: dict = field(default_factory=dict)
    # alias/interface/class qualname -> {type parameter: its constraint's (else default's) type Expr}: what
    # a member typed `T` holds where no use binds T
    tbounds: dict = field(default_factory=dict)
