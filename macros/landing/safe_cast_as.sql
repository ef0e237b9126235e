{% macro safe_cast_as(expr, data_type) -%}
    {#- Cast that gives null instead of an error when the value does not fit the type (DuckDB:
        try_cast; other engines: dbt.safe_cast). dbt-duckdb's safe_cast is a plain cast. -#}
    {{- return(adapter.dispatch('safe_cast_as', 'mvoi')(expr, data_type)) -}}
{%- endmacro %}

{% macro default__safe_cast_as(expr, data_type) -%}
    {{ dbt.safe_cast(expr, data_type) }}
{%- endmacro %}

{% macro duckdb__safe_cast_as(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
