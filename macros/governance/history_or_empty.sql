{% macro history_or_empty(relation, columns) -%}
    {#- A select of a result history written outside dbt models (governance.dbt_test_results,
        governance.gx_validation_results): every row of `relation` when it exists at compile
        time, else no rows with `columns` (a mapping of column name to type), so the models
        reading it build and test on a fresh database. -#}
    {%- if relation_exists(relation) -%}
    select * from {{ relation }}
    {%- else -%}
    select
        {%- for name, type in columns.items() %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endif -%}
{%- endmacro %}
