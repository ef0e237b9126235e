{% macro regex_match(col, pattern) -%}
    {#- True when the whole text matches the (anchored) regular expression; null for null input.
        The one place of the project that knows the engine's regex function. -#}
    {{- return(adapter.dispatch('regex_match', 'mvoi')(col, pattern)) -}}
{%- endmacro %}

{% macro default__regex_match(col, pattern) -%}
    regexp_like({{ col }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_match(col, pattern) -%}
    regexp_matches({{ col }}, '{{ pattern }}')
{%- endmacro %}
