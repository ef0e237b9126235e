{% macro values_differ(left, right) -%}
    {#- Null-safe "differs": true when exactly one side is null or both are non-null and
        unequal; false when both are null or equal. The portable spelling of
        `left is distinct from right` (which not every engine, nor the linter, accepts). -#}
    (coalesce({{ left }} <> {{ right }}, false) or ({{ left }} is null) <> ({{ right }} is null))
{%- endmacro %}
