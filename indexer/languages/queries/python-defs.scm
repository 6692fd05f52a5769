; Definitions and scopes of a Python file.
; Capture names are the contract with indexer/languages/python/extract.py:
;   def.*    a node that defines a symbol (its fields are read in Python)
;   scope.*  a node that opens an anonymous scope (no symbol of its own)
;   import.* an import statement (its parts are read in Python)
;   bind.*   an identifier bound in the enclosing scope without `=`

(class_definition) @def.class
(function_definition) @def.function
(lambda) @scope.lambda
; A parameter's default value and annotation, and the return annotation, are
; evaluated where the def statement runs, not inside the function: names
; there are looked up in the enclosing scope (`def f(self, sleep=sleep)`
; reads the module's `sleep`; `date: date` the imported class).
(default_parameter value: (_) @scope.outer)
(typed_default_parameter value: (_) @scope.outer)
(typed_default_parameter type: (_) @scope.outer)
(typed_parameter type: (_) @scope.outer)
(function_definition return_type: (_) @scope.outer)
[(list_comprehension) (set_comprehension) (dictionary_comprehension) (generator_expression)] @scope.comprehension

(import_statement) @import.plain
(import_from_statement) @import.from
(future_import_statement) @import.future

(global_statement (identifier) @bind.global)
(nonlocal_statement (identifier) @bind.nonlocal)

; What a function gives back when it has no return annotation, and the
; context managers of `with` statements (their __enter__/__exit__ run).
(return_statement (_) @return.value)
(yield (_) @return.value)
(with_clause (with_item) @with.item)
; `async for x in it` runs it.__aiter__ and its __anext__ (a plain `for`'s
; __iter__/__next__ are not added here).
(for_statement "async" right: (_)) @loop.async
; Operators that run a protocol method of an operand: `k in c` runs
; c.__contains__, `c[k]` c.__getitem__ (__setitem__, __delitem__ as targets).
(comparison_operator) @operator.compare
(subscript) @operator.subscript
; Arithmetic, unary and in-place operators and `for` loops run an
; operand's protocol method (`a + b` runs a.__add__ or b.__radd__):
; extract.OPERAND_PROTOCOLS. The builtins that do (`len(x)` runs
; x.__len__) are recognized at their callee in extract.py, as are
; `setattr(self, "x", v)` and `object.__setattr__(self, "x", v)`, which
; define C.x as `self.x = v` does: patterns with text predicates here were
; tried on every call, a fifth of the whole query's time (issue 17).
(binary_operator) @operator.binary
(unary_operator) @operator.unary
(augmented_assignment) @operator.augmented
(for_statement) @operator.for
(for_in_clause) @operator.for
; A truth test runs its operand's __bool__ (`if x:`, `not x`, `a or b`'s
; left): extract.TRUTH_PROTOCOLS.
(if_statement) @operator.truth
(elif_clause) @operator.truth
(while_statement) @operator.truth
(not_operator) @operator.truth
(conditional_expression) @operator.truth
(boolean_operator) @operator.truth
; An f-string's `{x}` runs x.__str__ (`print(x)` is read at its callee):
; extract.STRING_PROTOCOLS.
(interpolation) @operator.format
