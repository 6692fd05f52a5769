; Go definitions by role (indexer/languages/go/extract.py reads the capture
; names). Only package-level declarations define graph symbols; locals are
; scope bindings of the use sweep.
(source_file (function_declaration name: (identifier) @name) @function)
(source_file (method_declaration name: (field_identifier) @name) @method)
(source_file (type_declaration (type_spec name: (type_identifier) @name) @type))
(source_file (type_declaration (type_alias name: (type_identifier) @name) @alias))
(source_file (type_declaration (type_spec
  type: (struct_type (field_declaration_list (field_declaration name: (field_identifier) @name) @field)))))
(source_file (type_declaration (type_spec
  type: (interface_type (method_elem name: (field_identifier) @name) @interface_method))))
(source_file (const_declaration (const_spec name: (identifier) @name) @constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @variable)))
