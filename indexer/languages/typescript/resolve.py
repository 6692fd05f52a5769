"""Cross-file resolution for TypeScript/JavaScript: every use of a file to
`(target, confidence, how)`.

Values the evaluator passes around: ("sym", qualname, how) the thing itself,
("inst", class qualname, how) an instance of a class or interface,
("super", class qualname, how) the base part of `this`, ("module", module,
how) a namespace or CommonJS module object. The `how` of an edge is the rule
that found its last link, with its confidence (vocab.How).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from indexer.languages.base import FileFacts
from indexer.languages.typescript import merging
from indexer.languages.typescript.extract import qualpart
from indexer.languages.typescript.project import Project
from indexer.languages.typescript.summary import TsSummary, summarize
from indexer.graph.vocab import How, SymbolKind

MEMBER_KINDS = frozenset({"method", "field", "property", "constant"})
_HOLDS_VALUE = frozenset({"variable", "constant", "field", "property"})
_INSTANCE_KINDS = frozenset({"class", "interface", "type", "enum"})
# Array methods whose first argument is (or whose callback's first parameter is) an element
_ELEMENT_METHODS = frozenset({"push", "unshift", "includes", "indexOf", "lastIndexOf"})
_CALLBACK_METHODS = frozenset({"some", "every", "filter", "map", "forEach", "find", "findIndex", "findLast",
                               "findLastIndex", "flatMap"})
# Array methods whose result is an element
_ELEMENT_RESULTS = frozenset({"shift", "pop", "at", "find", "findLast"})
_MAX_DEPTH = 24
_NO_TYPE = frozenset({("name", "any"), ("name", "unknown"), ("name", "never")})
_NAME_MATCH_LIMIT = 8


@dataclass(slots=True)
class Resolution:
    refs: list = field(default_factory=list)
    tests: set = field(default_factory=set)


def _binding(value):
    """The scope an instantiated value's type parameters are bound in (None when unbound)."""
    return value[3] if len(value) > 3 else None


class _ModuleCtx:
    """Names visible at a file's module scope (another file's, from its summary)."""

    __slots__ = ("summary", "path", "module")

    def __init__(self, summary: TsSummary):
        self.summary, self.path, self.module = summary, summary.path, summary.module

    def lookup(self, name: str):
        return self.summary.names.get(name)


class _FileCtx:
    """Names visible from one scope of the file being resolved."""

    __slots__ = ("facts", "scope", "path", "module")

    def __init__(self, facts: FileFacts, scope: int):
        self.facts, self.scope, self.path, self.module = facts, scope, facts.path, facts.module

    def lookup(self, name: str):
        scopes, index = self.facts.scopes, self.scope
        while index >= 0:
            scope = scopes[index]
            binding = scope.names.get(name)
            if binding is not None:
                if binding[0] == "def":
                    return ("def", self.facts.symbols[binding[1]].qualname)
                if binding[0] == "val":
                    return ("val", binding[1], index)
                return binding
            index = scope.parent
        return None


class _BoundCtx:
    """A type alias's scope with its type parameters bound to the arguments
    of one instantiation (`F<A, B>`), each evaluated where it was written."""

    __slots__ = ("base", "bound", "path", "module")

    def __init__(self, base, bound: dict):
        self.base, self.bound, self.path, self.module = base, bound, base.path, base.module

    def lookup(self, name: str):
        found = self.bound.get(name)
        return ("bound", *found) if found is not None else self.base.lookup(name)


class Resolver:
    def __init__(self, summaries):
        self.by_module: dict[str, TsSummary] = {}
        self.owner: dict[str, str] = {}  # symbol qualname -> module
        self.members: dict[str, list[str]] = defaultdict(list)  # member name -> qualnames
        files, configs = {}, []
        for summary in summaries:
            self._add(summary)
            if summary.config is not None:
                configs.append(summary.config)
            elif summary.dialect != "json":
                files[summary.path] = summary.module
        self.project = Project(files, configs)
        self.augments = merging.Augments(list(self.by_module.values()), self.project.resolve)
        self._mro: dict[str, list[str]] = {}
        self._bound_bases: dict[str, dict] = {}

    def _add(self, summary: TsSummary) -> None:
        self.by_module[summary.module] = summary
        for qualname, info in summary.symbols.items():
            self.owner[qualname] = summary.module
            if info[0] in MEMBER_KINDS:
                self.members[qualname.rsplit(".", 1)[-1]].append(qualname)

    # -- symbol facts -----------------------------------------------------------
    def info(self, qualname: str):
        module = self.owner.get(qualname)
        return self.by_module[module].symbols.get(qualname) if module else None

    def ctx_of(self, qualname: str):
        module = self.owner.get(qualname)
        return _ModuleCtx(self.by_module[module]) if module else None

    def mro(self, qualname: str) -> list[str]:
        """The class (or interface) and its bases, nearest first."""
        cached = self._mro.get(qualname)
        if cached is not None:
            return cached
        self._mro[qualname] = [qualname]  # cycles end here
        out, queue = [qualname], [qualname]
        while queue:
            current = queue.pop(0)
            info, ctx = self.info(current), self.ctx_of(current)
            if info is None or ctx is None:
                continue
            for base in info[3]:
                value = self.eval(base, ctx, 1)
                if value and value[0] == "sym" and value[1] not in out and (self.info(value[1]) or ("",))[0] in (
                        "class", "interface", "type"):
                    out.append(value[1])
                    queue.append(value[1])
            for merged in self.augments.of(current):  # `declare module` augmentations: one declaration
                if merged not in out:
                    out.append(merged)
                    queue.append(merged)
        self._mro[qualname] = out
        return out

    def bound_bases(self, qualname: str, bound=None) -> dict:
        """Owner in the hierarchy -> the scope its type parameters are bound
        in: `qualname`'s own (`bound`, an instantiation `I<A>`), and each
        generic base's as its `extends B<X>` names it, X read where written."""
        cached = self._bound_bases.get(qualname) if bound is None else None
        if cached is not None:
            return cached
        if bound is None:
            self._bound_bases[qualname] = {}  # cycles end here
        out, queue, seen = {}, [(qualname, bound or self._unbound(qualname))], {qualname}
        while queue:
            current, current_bound = queue.pop(0)
            info = self.info(current)
            if info is None:
                continue
            if current_bound is not None:
                out[current] = current_bound
            ctx = current_bound or self.ctx_of(current)
            for base in info[3]:
                value = self.eval(("type", base) if base[0] == "generic" else base, ctx, 1)
                if value and value[0] in ("inst", "sym") and value[1] not in seen:
                    seen.add(value[1])
                    queue.append((value[1], value[3] if len(value) > 3 else self._unbound(value[1])))
        if bound is None:
            self._bound_bases[qualname] = out
        return out

    def _unbound(self, qualname: str):
        """An alias's, interface's or class's own scope where no use binds its
        type parameters: each stands for its constraint (or default)."""
        module = self.owner.get(qualname)
        bounds = self.by_module[module].tbounds.get(qualname) if module else None
        if not bounds:
            return None
        ctx = _ModuleCtx(self.by_module[module])
        return _BoundCtx(ctx, {name: (typed, ctx) for name, typed in bounds.items()})

    # -- evaluation -------------------------------------------------------------------
    def module_of(self, spec: str, from_path: str) -> str | None:
        return self.project.resolve(spec, from_path)

    def binding_value(self, binding, ctx, depth: int):
        if binding is None or depth > _MAX_DEPTH:
            return None
        tag = binding[0]
        if tag == "def":
            return ("sym", binding[1], How.SCOPE)
        if tag == "import":
            module = self.module_of(binding[1], ctx.path)
            if module is None:
                return None
            value = self.export_value(module, binding[2], depth + 1)
            return (value[0], value[1], How.IMPORT) if value else None
        if tag == "val":
            if isinstance(ctx, _FileCtx) and len(binding) > 2:
                ctx = _FileCtx(ctx.facts, binding[2])
            return self.eval(binding[1], ctx, depth + 1)
        if tag == "local":
            return self.binding_value(ctx.lookup(binding[1]), ctx, depth + 1)
        if tag == "bound":  # a type parameter of an instantiated alias: its argument
            return self.eval(binding[1], binding[2], depth + 1)
        return None

    def instantiate(self, alias: str, args: tuple, ctx):
        """The alias's own scope, its type parameters bound to `args` (None
        when it has none, or no argument is a type)."""
        module = self.owner.get(alias)
        names = self.by_module[module].tparams.get(alias) if module else None
        if not names or not args:
            return None
        bound = {name: (("type", arg), ctx) for name, arg in zip(names, args) if arg and arg not in _NO_TYPE}
        if not bound:
            return None
        home = _ModuleCtx(self.by_module[module])
        for name, typed in (self.by_module[module].tbounds.get(alias) or {}).items():
            bound.setdefault(name, (typed, home))  # `I<any>`, or an argument left out: the constraint (or default)
        return _BoundCtx(home, bound)

    def export_value(self, module: str, name: str, depth: int = 0, seen: frozenset = frozenset()):
        """What `module` exports as `name` ("default", "*", "=" included)."""
        summary = self.by_module.get(module)
        if summary is None or depth > _MAX_DEPTH or (module, name) in seen:
            return None
        seen = seen | {(module, name)}
        if name == "*":
            return ("module", module, How.IMPORT)
        exports = summary.exports
        binding = exports.get(name)
        if binding is None and name == "default" and "=" in exports:
            binding = exports["="]  # CommonJS module imported with ES syntax
        if binding is None and name == "=":
            return ("module", module, How.IMPORT)
        ctx = _ModuleCtx(summary)
        if binding is not None:
            tag = binding[0]
            if tag == "local":
                return self.binding_value(ctx.lookup(binding[1]), ctx, depth + 1)
            if tag == "def":
                return ("sym", binding[1], How.IMPORT)
            if tag == "import":
                target = self.module_of(binding[1], summary.path)
                return self.export_value(target, binding[2], depth + 1, seen) if target else None
            if tag == "val":
                return self.eval(binding[1], ctx, depth + 1)
            return None
        if "=" in exports and name != "default":  # a member of `module.exports = {...}` or a class
            whole = self.export_value(module, "=", depth + 1, seen)
            if whole and whole[0] != "module":
                found = self.member(whole, name, depth + 1)
                if found:
                    return found
        if name != "default":
            for spec in summary.stars:
                target = self.module_of(spec, summary.path)
                found = self.export_value(target, name, depth + 1, seen) if target else None
                if found:
                    return (found[0], found[1], How.STAR_IMPORT)
        return None

    def deref(self, value, depth: int):
        """What a named symbol holds when used as an object: a variable's or
        field's value, a getter's result; anything else is itself."""
        if value is not None and value[0] == "slot":  # a property of an inline object type: its type
            return self.deref(value[1], depth + 1)
        if value is None or value[0] != "sym" or depth > _MAX_DEPTH:
            return value
        info = self.info(value[1])
        if info is None:
            return value
        kind, type_expr, returns = info[0], info[1], info[2]
        if kind in _HOLDS_VALUE and kind != SymbolKind.CONSTANT or (kind == SymbolKind.CONSTANT and type_expr):
            expr = type_expr if kind != SymbolKind.PROPERTY else (returns or type_expr)
            if expr:
                found = self.eval(expr, value[3] if len(value) > 3 else self.ctx_of(value[1]), depth + 1)
                return self.deref(found, depth + 1) if found else None
            return value  # no type: its own members (an object literal, an inline object type) still resolve
        return value

    def eval(self, expr, ctx, depth: int = 0):
        if not expr or ctx is None or depth > _MAX_DEPTH:
            return None
        tag = expr[0]
        if tag == "name":
            binding = ctx.lookup(expr[1])
            if binding is None and expr[1] == "exports":  # CommonJS: the module's own exports object
                return ("module", ctx.module, How.MODULE)
            return self.binding_value(binding, ctx, depth + 1)
        if tag == "attr":
            if expr[1] == ("name", "module") and expr[2] == "exports" and ctx.lookup("module") is None:
                return ("module", ctx.module, How.MODULE)
            return self.member(self.eval(expr[1], ctx, depth + 1), expr[2], depth + 1)
        if tag == "call" and expr[1] and expr[1][0] == "attr" and expr[1][2] in _ELEMENT_RESULTS:
            owner = self.deref(self.eval(expr[1][1], ctx, depth + 1), depth + 1)
            if owner is not None and owner[0] == "array":  # `xs.shift()!.x`: an element
                return owner[1]
        if tag == "call" or tag == "ret":
            return self.result_of(self.deref(self.eval(expr[1], ctx, depth + 1), depth + 1), depth + 1)
        if tag == "new":
            value = self.deref(self.eval(expr[1], ctx, depth + 1), depth + 1)
            if value and value[0] == "sym" and (self.info(value[1]) or ("",))[0] == "class":
                return ("inst", value[1], How.CONSTRUCTOR)
            return None
        if tag == "type":
            if expr[1] and expr[1][0] == "fn":  # a function type: its parameters' types, evaluated here
                result = (expr[1][2], ctx) if len(expr[1]) > 2 and expr[1][2] else None  # evaluated when called
                return ("fnval", (tuple(self.eval(t, ctx, depth + 1) if t else None for t in expr[1][1]), result),
                        How.ANNOTATION)
            if expr[1] and expr[1][0] == "obj":  # a parameter's inline object type: its properties' types
                return ("obj", (expr[1][1], ctx), How.ANNOTATION)
            if expr[1] and expr[1][0] == "array":
                element = self.eval(("type", expr[1][1]), ctx, depth + 1)
                return ("array", element, How.ANNOTATION) if element else None
            if expr[1] and expr[1][0] == "union":  # each named part, as an instance
                parts = tuple(v for v in (self.eval(("type", part), ctx, depth + 1) for part in expr[1][1]) if v)
                return ("union", parts, How.ANNOTATION) if parts else None
            value = self.eval(expr[1], ctx, depth + 1)
            if value is None or value[0] != "sym":  # a module, or a type parameter's constraint
                return value if value and value[0] in ("module", "inst", "union", "array", "fnval", "obj") else None
            info = self.info(value[1])
            if info is None or info[0] not in _INSTANCE_KINDS:
                return None
            bound = self.instantiate(value[1], expr[1][2], ctx) if expr[1][0] == "generic" and info[0] == "type" \
                else None
            if bound is not None and not info[1]:  # `F<A>` of a function-type alias: its parameters and result
                types = self.by_module[self.owner[value[1]]].params.get(value[1]) or ()
                if types and all(types):  # (an inline object parameter keeps the alias: its properties are the alias's)
                    return ("fnval", (tuple(self._declared_param(value[1], t, depth + 1, bound) for t in types),
                                      (info[2], bound) if info[2] else None), How.ANNOTATION)
            if expr[1][0] == "generic" and info[0] in (SymbolKind.INTERFACE, SymbolKind.CLASS):
                generic = self.instantiate(value[1], expr[1][2], ctx)  # `I<A>`: its members' `T` is A
                if generic is not None:
                    return ("inst", value[1], How.ANNOTATION, generic)
            if info[0] == "type" and info[1]:  # an alias of another type
                found = self.eval(("type", info[1]), bound or self._unbound(value[1]) or self.ctx_of(value[1]),
                                  depth + 1)
                if info[1][0] == "union" and ("inline",) in info[1][1]:  # `A & { inline }`: the alias holds those
                    parts = (found[1] if found[0] == "union" else (found,)) if found else ()
                    return ("union", (("inst", value[1], How.ANNOTATION), *parts), How.ANNOTATION)
                if found:
                    return found
            return ("inst", value[1], How.ANNOTATION)
        if tag == "disc":
            return self.discriminate(self.eval(expr[1], ctx, depth + 1), expr[2], depth + 1)
        if tag == "members":  # an alias's inline object argument: its properties are the alias's own
            return ("inst", expr[1], How.ANNOTATION)
        if tag == "qual":  # a local function named in an inferred return
            return ("sym", expr[1], How.SCOPE)
        if tag == "generic":  # outside a type position: the named thing itself
            return self.eval(expr[1], ctx, depth + 1)
        if tag == "this":
            return ("inst", expr[1], How.SELF) if expr[1] else None
        if tag == "super":
            return ("super", expr[1], How.SUPER) if expr[1] else None
        if tag == "require":
            module = self.module_of(expr[1], ctx.path)
            return self.export_value(module, "=", depth + 1) if module else None
        if tag == "cb":
            return self.callback_param(self.deref(self.eval(expr[1], ctx, depth + 1), depth + 1), expr[2], depth + 1)
        if tag == "index":
            value = self.deref(self.eval(expr[1], ctx, depth + 1), depth + 1)
            return value[1] if value is not None and value[0] == "array" else None
        if tag == "self_module":
            return ("module", ctx.module, How.MODULE)
        if tag == "arg":
            callee = expr[1]
            if callee[0] == "attr" and expr[2] == 0 and callee[2] in _ELEMENT_METHODS | _CALLBACK_METHODS:
                owner = self.deref(self.eval(callee[1], ctx, depth + 1), depth + 1)
                if owner is not None and owner[0] == "array":  # `xs.push({...})`, `xs.some((x) => ...)`
                    return owner[1] if callee[2] in _ELEMENT_METHODS else ("fnval", ((owner[1],), None),
                                                                                       How.ANNOTATION)
            return self.param_type(self.deref(self.eval(expr[1], ctx, depth + 1), depth + 1), expr[2], depth + 1)
        return None

    def literal(self, qualname: str) -> str | None:
        module = self.owner.get(qualname)
        return self.by_module[module].literals.get(qualname) if module else None

    def discriminate(self, value, discriminants, depth: int):
        """The parts of a union an object literal can be: those whose
        literal-typed members agree with the literal's values (all parts
        when none is left)."""
        value = self.deref(value, depth)
        if value is None or value[0] != "union" or depth > _MAX_DEPTH:
            return value
        kept = []
        for part in value[1]:
            agree = True
            for key, literal in discriminants:
                found = self.member(part, key, depth + 1)
                declared = self.literal(found[1]) if found and found[0] == "sym" else None
                if declared is not None and declared != literal:
                    agree = False
                    break
            if agree:
                kept.append(part)
        if not kept or len(kept) == len(value[1]):
            return value
        return kept[0] if len(kept) == 1 else ("union", tuple(kept), value[2])

    def result_of(self, fn, depth: int):
        """An instance of what calling `fn` returns: a function's or method's
        declared return type, a function type's result, or that of a
        function-type alias (or an interface's call signature)."""
        if fn is None or depth > _MAX_DEPTH:
            return None
        if fn[0] == "fnval":
            if not fn[1][1]:
                return None
            found = self.eval(*fn[1][1], depth + 1)
        elif fn[0] == "union":
            found = next((r for r in (self.result_of(part, depth + 1) for part in fn[1]) if r), None)
        elif fn[0] in ("sym", "inst"):
            info = self.info(fn[1])
            if info is None or not info[2] or not (fn[0] == "sym" and info[0] in (SymbolKind.FUNCTION, SymbolKind.METHOD,
                                                                               SymbolKind.FIELD)
                                                   or info[0] in (SymbolKind.TYPE_ALIAS, SymbolKind.INTERFACE)):
                return None
            found = self.eval(info[2], fn[3] if len(fn) > 3 else self.ctx_of(fn[1]), depth + 1)
        else:
            return None
        return (found[0], found[1], How.RETURN_TYPE) if found else None

    def callback_param(self, fn, position: int, depth: int):
        """Parameter `position` of a function-typed value: a function type's
        own, a function-type alias's declared one, or (the first) the alias
        itself when its inline object parameter's properties are its members."""
        if fn is None or depth > _MAX_DEPTH:
            return None
        if fn[0] == "fnval":
            return fn[1][0][position] if position < len(fn[1][0]) else None
        if fn[0] == "union":
            for part in fn[1]:
                found = self.callback_param(part, position, depth + 1)
                if found:
                    return found
            return None
        info = self.info(fn[1]) if fn[0] in ("inst", "sym") else None
        if info is None or info[0] not in (SymbolKind.TYPE_ALIAS, SymbolKind.INTERFACE):
            return None
        module = self.owner.get(fn[1])
        types = self.by_module[module].params.get(fn[1]) if module else None
        if types and position < len(types) and types[position]:
            return self._declared_param(fn[1], types[position], depth)
        alias_itself = position == 0 and not info[1] and info[0] == SymbolKind.TYPE_ALIAS
        return ("inst", fn[1], How.ANNOTATION) if alias_itself else None

    def param_type(self, callee, position: int, depth: int):
        """An instance of the declared type of `callee`'s parameter at
        `position`. A function-type alias holds its object parameter's
        properties as its own members, so the alias itself is that type."""
        if callee is None or callee[0] == "module" or depth > _MAX_DEPTH:
            return None
        if callee[0] == "fnval":
            return callee[1][0][position] if position < len(callee[1][0]) else None
        if callee[0] == "union":
            for part in callee[1]:
                found = self.param_type(part, position, depth + 1)
                if found:
                    return found
            return None
        info = self.info(callee[1])
        if info is None:
            return None
        kind = info[0]
        module = self.owner.get(callee[1])
        types = self.by_module[module].params.get(callee[1]) if module else None
        alias = kind == SymbolKind.TYPE_ALIAS
        if alias and not info[1] and not (types and position < len(types) and types[position]):
            return ("inst", callee[1], How.ANNOTATION)  # its inline object parameter's properties are its own
        if not (alias or kind == SymbolKind.INTERFACE  # an interface with call signatures
                or callee[0] == "sym" and kind in (SymbolKind.FUNCTION, SymbolKind.METHOD)):
            return None
        if not types or position >= len(types) or not types[position]:
            return None
        return self._declared_param(callee[1], types[position], depth)

    def _declared_param(self, holder: str, typed, depth: int, ctx=None):
        """An instance of a declared parameter type; `A & { inline }` in a
        function-type alias also holds the alias's own (inline) members."""
        found = self.eval(typed, ctx or self.ctx_of(holder), depth + 1)
        inner = typed[1] if typed[0] == "type" else None
        if inner and inner[0] == "union" and ("inline",) in inner[1] \
                and (self.info(holder) or ("",))[0] == SymbolKind.TYPE_ALIAS:
            parts = (found[1] if found[0] == "union" else (found,)) if found else ()
            return ("union", (("inst", holder, How.ANNOTATION), *parts), How.ANNOTATION)
        return (found[0], found[1], How.ANNOTATION) if found else None

    def members_of(self, value, name: str, depth: int, per_binding: bool = False) -> list:
        """Every symbol `name` names on `value`: one per part of a union (with
        `per_binding`, one per instantiation: `A<X> | A<Y>` reads A.m twice)."""
        value = self.deref(value, depth)
        if value is not None and value[0] == "union" and depth <= _MAX_DEPTH:
            out = []
            for part in value[1]:
                for found in self.members_of(part, name, depth + 1, per_binding):
                    if all(found[1] != seen[1] or per_binding and _binding(found) is not _binding(seen)
                           for seen in out):
                        out.append(found)
            return out
        found = self.member(value, name, depth)
        return [found] if found else []

    def member(self, value, name: str, depth: int):
        """The symbol `name` names on `value` (a module, class, instance...);
        on a union, each part's that has it (a union of them)."""
        value = self.deref(value, depth)
        if value is None or depth > _MAX_DEPTH:
            return None
        tag, qualname, how = value[:3]
        if tag in ("array", "fnval"):
            return None  # Array's and Function's own members are the library's
        if tag == "obj":  # ("slot", its type): a property no symbol holds
            fields, ctx = qualname
            for field_name, typed in fields:
                if field_name == name:
                    return ("slot", self.eval(typed, ctx, depth + 1) if typed else None, how)
            return None
        if tag == "union":
            found = self.members_of(value, name, depth + 1, per_binding=True)
            if len(found) > 1:  # what is read through it is read through each part's member
                return ("union", tuple(found), found[0][2])
            return found[0] if found else None
        if tag == "module":
            found = self.export_value(qualname, name, depth + 1)
            return ("sym", found[1], How.MODULE) if found and found[0] == "sym" else found
        part = qualpart(name)
        if tag == "sym":
            info = self.info(qualname)
            if info is None:
                return None
            classes = self.mro(qualname) if info[0] == "class" else [qualname, *self.augments.of(qualname)]
            for i, owner in enumerate(classes):
                if (member := f"{owner}.{part}") in self.owner:
                    if len(value) > 3 and i == 0:  # a member of an instantiated member's inline type
                        return ("sym", member, How.MODULE, value[3])
                    return ("sym", member, How.MODULE if i == 0 else How.MRO)
            # a namespace merged into this function, class or enum holds the member
            merged = merging.namespace_member(self.by_module.get(self.owner.get(qualname, "")),
                                              qualname.rsplit(".", 1)[-1], name)
            return ("sym", merged, How.MODULE) if merged in self.owner else None
        classes = self.mro(qualname)
        if tag == "super":
            classes = classes[1:]
        bases = None
        for i, owner in enumerate(classes):
            if (member := f"{owner}.{part}") in self.owner:
                found_how = how if (i == 0 or tag == "super") else How.MRO
                if bases is None:
                    bases = self.bound_bases(qualname, value[3] if len(value) > 3 else None)
                bound = bases.get(owner)
                return ("sym", member, found_how, bound) if bound is not None else ("sym", member, found_how)
        return None

    # -- one file --------------------------------------------------------------------
    def resolve_file(self, facts: FileFacts) -> Resolution:
        out = Resolution()
        extra = facts.extra
        if extra is None or extra.dialect == "json":
            return out
        if facts.module not in self.by_module:  # a file the resolver was built without
            self._add(summarize(facts))
            self._mro.clear()
            self._bound_bases.clear()
        symbols = facts.symbols
        append = out.refs.append
        for ref in facts.refs:
            enclosing = symbols[ref.owner].qualname if 0 <= ref.owner < len(symbols) else facts.module
            ctx = _FileCtx(facts, ref.scope)
            target, how = self._target(ref, ctx)
            if target is None and how is None:
                continue  # a local or a global: not an edge of the graph
            if how == "each":
                for one, one_how in target:
                    append((ref.span, ref.name, ref.kind, enclosing, one, How(one_how).confidence, str(one_how)))
                continue
            if isinstance(target, list):  # name-match candidates share the guess
                for candidate in target:
                    append((ref.span, ref.name, ref.kind, enclosing, candidate,
                            How.NAME_MATCH.confidence / len(target), How.NAME_MATCH.value))
                continue
            confidence = How(how).confidence if target else 0.0
            append((ref.span, ref.name, ref.kind, enclosing, target, confidence, str(how)))
        out.tests = {s.qualname for s in symbols if s.is_test}
        return out

    def _target(self, ref, ctx):
        """(target, how): target None with a how for an edge left open
        (external, unresolved); (None, None) for no edge at all."""
        if ref.module is not None:  # an imported name
            _level, spec, name = ref.module
            module = self.module_of(spec, ctx.path)
            if module is None:
                return None, How.EXTERNAL
            value = self.export_value(module, name)
            if value is None:
                return None, How.UNRESOLVED
            return value[1], How.IMPORT
        if ref.receiver is None:
            binding = ctx.lookup(ref.name)
            if binding is None or binding[0] == "val":
                return None, None
            value = self.binding_value(binding, ctx, 0)
            if value is None:
                return None, How.EXTERNAL if binding[0] == "import" else How.UNRESOLVED
            return value[1], value[2]
        receiver = self.eval(ref.receiver, ctx)
        if receiver is not None:
            found = self.members_of(receiver, ref.name, 0)
            if any(f[0] == "slot" for f in found) or not found and self.deref(receiver, 0) is not None \
                    and self.deref(receiver, 0)[0] == "obj":
                return None, None  # a property of a parameter's inline object type: no symbol to name
            if len(found) > 1:  # a member of a union: a sure use of each part's
                return tuple((f[1], f[2]) for f in found), "each"
            if found:
                return found[0][1], found[0][2]
        elif self._external_root(ref.receiver, ctx):
            return None, None
        candidates = self.members.get(qualpart(ref.name), ())
        if 0 < len(candidates) <= _NAME_MATCH_LIMIT:
            return list(candidates), How.NAME_MATCH
        return None, How.UNRESOLVED

    def _external_root(self, expr, ctx) -> bool:
        """Whether the receiver starts from a global or another package's import."""
        while expr and expr[0] in ("attr", "call", "new"):
            expr = expr[1]
        if not expr or expr[0] != "name":
            return expr is not None and expr[0] == "require"
        if expr[1] in ("exports", "module", "this"):
            return False
        binding = ctx.lookup(expr[1])
        if binding is None:
            return True
        return binding[0] == "import" and self.module_of(binding[1], ctx.path) is None
