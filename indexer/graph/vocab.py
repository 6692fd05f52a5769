"""The graph's named vocabulary: symbol kinds, reference kinds and the rules
("how") that resolved an edge, each rule with its confidence.

StrEnums: a member *is* its string, so the stored values, the JSON shapes
and every comparison with a plain string stay what they were; code names
`SymbolKind.METHOD` instead of spelling "method" again.
"""

from __future__ import annotations

from enum import StrEnum


class SymbolKind(StrEnum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"
    VARIABLE = "variable"
    CONSTANT = "constant"
    ATTRIBUTE = "attribute"  # instance attribute assigned through self.x = ...
    PARAMETER = "parameter"
    PROPERTY = "property"
    # TypeScript/JavaScript
    FIELD = "field"  # a declared class field or interface property
    INTERFACE = "interface"
    TYPE_ALIAS = "type"
    ENUM = "enum"


class RefKind(StrEnum):
    CALL = "call"
    READ = "read"
    WRITE = "write"
    ATTRIBUTE = "attribute"
    IMPORT = "import"
    INHERIT = "inherit"
    DECORATOR = "decorator"
    ANNOTATION = "annotation"
    KEYWORD = "keyword"
    FIXTURE = "fixture"
    FLOW = "flow"  # value flow: the used value ends up held by the owner


class How(StrEnum):
    """Which rule resolved a reference. `confidence` is the rule's own; value
    flow idioms are factors on the rule that found the value."""

    def __new__(cls, value: str, confidence: float):
        member = str.__new__(cls, value)
        member._value_ = value
        member.confidence = confidence
        return member

    SCOPE = "scope", 1.0
    IMPORT = "import", 1.0
    STAR_IMPORT = "star-import", 0.95
    BUILTIN = "builtin", 1.0
    LOCAL = "local", 1.0
    SELF = "self", 1.0
    SUPER = "super", 0.95
    MRO = "mro", 0.95
    MODULE = "module", 1.0
    ANNOTATION = "annotation", 0.9
    CONSTRUCTOR = "constructor", 0.85
    RETURN_TYPE = "return-type", 0.8
    FIXTURE = "fixture", 1.0
    KEYWORD = "keyword", 0.9
    EXTERNAL = "external", 1.0
    DUNDER = "dunder", 0.9
    VALUE = "value", 0.8
    # Value flow: a name bound to X is X; a wrapper usually calls what it
    # wraps; a registry entry or a stored callable runs only when looked up;
    # getattr names the attribute.
    ALIAS = "alias", 1.0
    PARTIAL = "partial", 1.0
    WRAPPED = "wrapped", 0.9
    REGISTRY = "registry", 0.9
    STORED = "stored", 0.9
    GETATTR = "getattr", 0.9
    # A computed getattr name (`f"_compare_{op}"`) matched against the
    # receiver class's members: any one of them may run.
    GETATTR_MATCH = "getattr-match", 0.6
    # `getattr(x, name)(...)`, a method called by a wholly computed name on a
    # receiver of unknown type: kept without a target (what the receiver's
    # `__getattr__` answers: analysis/impact_introspect.py).
    GETATTR_ANY = "getattr-any", 0.4
    # A member a base lacks, on an instance of a class `type(...)` builds in
    # a factory: one of the factory's functions taking `self` (the one of
    # that name, else any of them: the namespace's keys may be computed).
    TYPE_BUILT = "type-built", 0.6
    # An attribute of an unannotated parameter, typed by what this file's
    # calls of its function pass (extract.CALLER_TYPES): they all agree, but
    # callers elsewhere may pass something else, and no type checker infers
    # it, so it stays below 0.5 with the guesses (where a name match had put it).
    CALLER = "caller", 0.45
    # An operator protocol method (`==` -> __eq__) run where the class's
    # instances are held (analysis/impact_protocols.py).
    PROTOCOL = "protocol", 0.9
    # Below 0.5 on purpose: callers asking for likely references (>= 0.5) get
    # none of the guesses; impact analysis, which wants recall, takes them all.
    # A name match's 0.4 is shared among its candidates.
    NAME_MATCH = "name-match", 0.4
    UNRESOLVED = "unresolved", 0.0


# The reference kinds that run the target: one definition for call
# hierarchies, callers in explanations, the agent's call lists and caches.
CALL_KINDS: tuple[RefKind, ...] = (RefKind.CALL, RefKind.DECORATOR, RefKind.FIXTURE)
