{% macro row_fingerprint(columns, relation_alias=none) -%}
    {#- A change-detection fingerprint of a row: md5 over the listed columns, each cast to
        text with an explicit null marker (so that ('a', null) and (null, 'a') differ).
        Used by the incremental spend fact to find lines whose enrichment changed. -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set qualified = (relation_alias ~ '.' ~ column) if relation_alias else column -%}
        {%- do parts.append("coalesce(cast(" ~ qualified ~ " as varchar), '<null>')") -%}
    {%- endfor -%}
    md5({{ parts | join(" || '|' || ") }})
{%- endmacro %}
