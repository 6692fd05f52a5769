; TypeScript and JavaScript (both grammars): which node defines, binds or
; uses a name, by role. The sweep (languages/typescript/extract.py) reads the
; captures in document order; a role names what the node does, not its type.

; scopes that may define a function, method or test body
(function_declaration) @function
(generator_function_declaration) @function
(function_expression) @function
(arrow_function) @function
(method_definition) @function

; classes (declarations and named/anonymous class expressions)
(class_declaration) @class
(class) @class

; bindings and module structure
(variable_declarator) @declarator
(import_statement) @import
(export_statement) @export
(assignment_expression) @assign
(call_expression) @call
(return_statement) @return
(for_in_statement) @forof
(new_expression) @newcall

; uses
(identifier) @use
(shorthand_property_identifier) @use
(member_expression property: (property_identifier) @member)
(member_expression property: (private_property_identifier) @member)

; JSDoc `{@link Name}`: tsserver counts the named symbol as used there
(comment) @comment
