{% macro parse_bool(col) -%}
    {#- Booleans: true/false, 1/0, yes/no, ja/nee, case-insensitive; anything else is null. -#}
    case
        when lower({{ clean_text(col) }}) in ('true', '1', 'yes', 'ja') then true
        when lower({{ clean_text(col) }}) in ('false', '0', 'no', 'nee') then false
    end
{%- endmacro %}
