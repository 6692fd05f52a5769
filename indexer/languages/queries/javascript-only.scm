; JavaScript only (the javascript grammar): class fields.
(field_definition) @field
