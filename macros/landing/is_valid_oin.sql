{% macro is_valid_oin(col) -%}
    {#- Organisatie-identificatienummer: exactly 20 digits. Null for a missing value. -#}
    {{ regex_match(clean_text(col), landing_format('oin')) }}
{%- endmacro %}
