{% macro is_valid_kvk(col) -%}
    {#- KvK (Chamber of Commerce) number: exactly 8 digits, leading zeros kept. Null for a
        missing value. -#}
    {{ regex_match(clean_text(col), landing_format('kvk')) }}
{%- endmacro %}
