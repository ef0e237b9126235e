{% macro row_fingerprint(columns, relation_alias=none) -%}
    {#- A change-detection fingerprint of a row: md5 over the listed columns, each cast to
        text with an explicit null marker (so that ('a', null) and (null, 'a') differ), joined
        by '|'. Used by the incremental spend fact to find lines whose enrichment changed.
        One concat_ws rather than a chain of `||`, which copies the growing text at every
        step (7.5 s instead of 23 s for 63 columns at 1M lines; the same text, so the same
        fingerprints). -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set qualified = (relation_alias ~ '.' ~ column) if relation_alias else column -%}
        {%- do parts.append("coalesce(cast(" ~ qualified ~ " as varchar), '<null>')") -%}
    {%- endfor -%}
    md5(concat_ws('|', {{ parts | join(", ") }}))
{%- endmacro %}
