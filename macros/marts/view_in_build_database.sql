{% macro view_in_build_database(relation) -%}
    {#- SQL for a view of `relation` (a model dbt builds in an attached database) under the same
        schema and name in the build database itself, so that whatever reads the build
        database finds it there. A table of that name (the model as built before it moved)
        is dropped first: DuckDB does not replace a table with a view. -#}
    {%- set view = api.Relation.create(
        database=target.database, schema=relation.schema, identifier=relation.identifier, type='view') -%}
    {%- set existing = adapter.get_relation(database=view.database, schema=view.schema, identifier=view.identifier) -%}
    {%- if existing is not none and existing.type == 'table' -%}
        drop table {{ existing }};
    {% endif -%}
    create or replace view {{ view }} as select * from {{ relation }}
{%- endmacro %}
