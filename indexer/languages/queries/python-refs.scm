; Uses of names in a Python file, one capture per role.
; An identifier can match several patterns; the extractor keeps the role
; listed first in ROLE_PRIORITY (extract.py), so the catch-all @ref.read
; only applies to identifiers no other pattern claimed.

; --- identifiers that are not uses of a name ---
(class_definition name: (identifier) @skip.defname)
(function_definition name: (identifier) @skip.defname)
(keyword_argument name: (identifier) @ref.keyword)
(import_statement (dotted_name (identifier) @skip.import))
(import_statement (aliased_import (dotted_name (identifier) @skip.import)))
(import_statement (aliased_import alias: (identifier) @skip.import))
(import_from_statement (dotted_name (identifier) @skip.import))
(import_from_statement (relative_import (dotted_name (identifier) @skip.import)))
(import_from_statement (aliased_import (dotted_name (identifier) @skip.import)))
(import_from_statement (aliased_import alias: (identifier) @skip.import))
(future_import_statement (dotted_name (identifier) @skip.import))
(global_statement (identifier) @skip.scope)
(nonlocal_statement (identifier) @skip.scope)

; --- parameters bind names in the function or lambda scope ---
(parameters (identifier) @bind.param)
(parameters (typed_parameter (identifier) @bind.param))
(parameters (default_parameter name: (identifier) @bind.param))
(parameters (typed_default_parameter name: (identifier) @bind.param))
(parameters (list_splat_pattern (identifier) @bind.param))
(parameters (dictionary_splat_pattern (identifier) @bind.param))
(parameters (typed_parameter (list_splat_pattern (identifier) @bind.param)))
(parameters (typed_parameter (dictionary_splat_pattern (identifier) @bind.param)))
(lambda_parameters (identifier) @bind.param)
(lambda_parameters (default_parameter name: (identifier) @bind.param))
(lambda_parameters (list_splat_pattern (identifier) @bind.param))
(lambda_parameters (dictionary_splat_pattern (identifier) @bind.param))

; --- attribute names: x.name ---
(call function: (attribute attribute: (identifier) @ref.call.attr))
(decorator (attribute attribute: (identifier) @ref.decorator.attr))
(decorator (call function: (attribute attribute: (identifier) @ref.decorator.attr)))
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @ref.inherit.attr)))
; a generic base, `class C(Base[T])`, `class C(mod.Base[T])`: C inherits Base
(class_definition superclasses: (argument_list (subscript value: (attribute attribute: (identifier) @ref.inherit.attr))))
(assignment left: (attribute attribute: (identifier) @ref.write.attr))
(augmented_assignment left: (attribute attribute: (identifier) @ref.write.attr))
(pattern_list (attribute attribute: (identifier) @ref.write.attr))
(tuple_pattern (attribute attribute: (identifier) @ref.write.attr))
(attribute attribute: (identifier) @ref.attribute)

; --- plain names by role ---
(call function: (identifier) @ref.call)
(decorator (identifier) @ref.decorator)
(decorator (call function: (identifier) @ref.decorator))
(class_definition superclasses: (argument_list (identifier) @ref.inherit))
(class_definition superclasses: (argument_list (subscript value: (identifier) @ref.inherit)))
(assignment left: (identifier) @ref.write)
(augmented_assignment left: (identifier) @ref.write)
(pattern_list (identifier) @ref.write)
(tuple_pattern (identifier) @ref.write)
(list_pattern (identifier) @ref.write)
(for_statement left: (identifier) @ref.write)
(for_in_clause left: (identifier) @ref.compvar)
(for_in_clause left: (pattern_list (identifier) @ref.compvar))
(for_in_clause left: (tuple_pattern (identifier) @ref.compvar))
(as_pattern alias: (as_pattern_target (identifier) @ref.write))
(named_expression name: (identifier) @ref.write)
(except_clause (as_pattern alias: (as_pattern_target (identifier) @ref.write)))

; Annotations: every identifier inside a type is an annotation use, and so
; is every dotted name inside a string annotation ("Node", t.List["Node"]).
(type) @annotation
(type (string (string_content) @annotation.string))
(subscript subscript: (string (string_content) @annotation.string))

(identifier) @ref.read

; Calling what a call returns: `curry(f)(x)`, `type(self)(...)`.
(call function: (call) arguments: (argument_list) @call.result)
; A function passed by name: its parameters may take the types the callee's
; annotation gives its callbacks (extract.CALLBACK_PARAMS).
(call arguments: (argument_list (identifier)) @call.callback)

; isinstance narrowing: `if isinstance(x, T):` (its block) and
; `assert isinstance(x, T)` (the rest of the block); the function name is
; checked in extract.py.
(if_statement condition: (call function: (identifier) arguments: (argument_list . (identifier) . (_)))
  consequence: (block)) @narrow.if
(assert_statement (call function: (identifier) arguments: (argument_list . (identifier) . (_)))) @narrow.assert

; Impact's value guards (guard_facts.py): the lines an `if` holds.
(if_statement) @guard.if
