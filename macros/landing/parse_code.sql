{% macro parse_code(col, accepted, case='lower') -%}
    {#- A code value: matched case-insensitively against `accepted` and returned in the
        contract's spelling (`case`: 'lower' for layers, types, statuses, themes ...; 'upper'
        for country and currency codes and R-levels). Anything else is null. -#}
    {%- if case not in ['lower', 'upper'] -%}
        {{ exceptions.raise_compiler_error("parse_code: case must be 'lower' or 'upper', got " ~ case) }}
    {%- endif -%}
    {%- set accepted_lower = [] -%}
    {%- for value in accepted -%}
        {%- do accepted_lower.append("'" ~ (value | lower | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    case
        when lower({{ clean_text(col) }}) in ({{ accepted_lower | join(', ') }})
            then {{ case }}({{ clean_text(col) }})
    end
{%- endmacro %}
