{% macro relation_exists(relation) -%}
    {#- True when `relation` exists in the warehouse at compile time (always true when not
        executing, e.g. at parse time or for the linter). Lets a model read a table that is
        written outside dbt and may not exist yet on a fresh database. -#}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) -%}
    {{ return(found is not none) }}
{%- endmacro %}
