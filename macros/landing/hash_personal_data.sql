{% macro hash_personal_data(col, lowercase=false) -%}
    {#- Irreversible SHA-256 (hex) of a personal-data value after the contract's cleaning
        (trim; '' and NULL are missing, giving a null hash); `lowercase` also lower-cases the
        value first (e-mail addresses). The clear value must not be selected next to it. -#}
    {%- if lowercase -%}
        {{ adapter.dispatch('sha256_hex', 'mvoi')('lower(' ~ clean_text(col) ~ ')') }}
    {%- else -%}
        {{ adapter.dispatch('sha256_hex', 'mvoi')(clean_text(col)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
