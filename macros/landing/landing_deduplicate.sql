{% macro landing_columns(entity) -%}
    {#- The column names of a landing entity in contract order, read from the `landing` source
        (models/staging/landing/_landing__sources.yml): the contract is written once. -#}
    {%- set node = _landing_source_node(entity) -%}
    {{ return(node.columns.keys() | list if node else []) }}
{%- endmacro %}


{% macro landing_key(entity) -%}
    {#- The key column of a landing entity (meta.key of its source table). -#}
    {%- set node = _landing_source_node(entity) -%}
    {{ return(node.meta.get('key') if node else none) }}
{%- endmacro %}


{% macro _landing_source_node(entity) -%}
    {%- if execute -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'landing' and node.name == entity -%}
            {{ return(node) }}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("No table " ~ entity ~ " in source landing.") }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{% macro landing_deduplicate(relation, entity, hashed_columns={}) -%}
    {#- The body of a select that turns the raw rows of `relation` (a landing entity) into its
        distinct records: every column cleaned with clean_text; rows identical in every cleaned
        column collapse into one (exact duplicates; `exact_duplicates_removed` counts the extra
        copies); `is_conflicting_duplicate` marks records that share a non-missing key with
        another distinct record; `original_record` is one delivered copy as JSON text.
        Personal-data columns (`hashed_columns`: name -> lowercase flag) leave this select only
        as <name>_hash. -#}
    {%- set columns = landing_columns(entity) -%}
    {%- set key = landing_key(entity) -%}
    select
        {%- for column in columns %}
            {%- if column in hashed_columns %}
        {{ hash_personal_data(column, hashed_columns[column]) }} as {{ column }}_hash,
            {%- else %}
        {{ column }},
            {%- endif %}
        {%- endfor %}
        min(original_record) as original_record,
        count(*) - 1 as exact_duplicates_removed,
        coalesce(
            {{ key }} is not null and count(*) over (partition by {{ key }}) > 1, false
        ) as is_conflicting_duplicate
    from (
        select
            {%- for column in columns %}
            {{ clean_text(column) }} as {{ column }},
            {%- endfor %}
            original_record
        from (
            select
                *,
                {{ landing_record_json(columns, hashed_columns) }} as original_record
            from {{ relation }}
        ) as delivered
    ) as cleaned
    group by
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}
