; TypeScript only (the typescript and tsx grammars): declarations that have
; no JavaScript form, and names used as types.
(abstract_class_declaration) @class
(public_field_definition) @field
(property_signature) @field
(method_signature) @signature
(abstract_method_signature) @signature
(interface_declaration) @interface
(type_alias_declaration) @typealias
(enum_declaration) @enum
(type_identifier) @type
(nested_type_identifier) @typemember
; `namespace X { ... }`: its members are the module's; X names the module itself
(internal_module) @namespace
; `declare module "m" { interface I {...} }`: an augmentation of m's I
(module) @namespace
; `<T extends C = D>`: T stands for C (or D) in its scope
(type_parameter) @typeparam
; `T["key"]`: a use of T's member key
(lookup_type) @lookup
; `interface F { (opts: O): R }`: calling an F passes an O
(call_signature) @callsig
; overload signatures: their parameter types serve the implementation's callers
(function_signature) @funcsig
