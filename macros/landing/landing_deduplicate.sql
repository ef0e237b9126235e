{% macro check_landing_columns(entity, columns, key) -%}
    {#- Stops the build when the column list or key a staging model passes for a landing
        entity differs from the landing source (models/staging/landing/_landing__sources.yml),
        so the contract cannot drift from the models. Skipped where the graph has no sources
        (parsing, unit tests). -#}
    {%- if execute and graph.get('sources') -%}
        {%- for node in graph.sources.values()
            if node.source_name == 'landing' and node.name == entity -%}
            {%- set contract_columns = _contract_columns(node) | map(attribute='name') | list -%}
            {%- if contract_columns != columns -%}
                {{ exceptions.raise_compiler_error(
                    "Staging of " ~ entity ~ " lists columns " ~ columns | join(', ')
                    ~ " but the landing contract has " ~ contract_columns | join(', ')) }}
            {%- endif -%}
            {%- if node.meta.get('key') != key -%}
                {{ exceptions.raise_compiler_error(
                    "Staging of " ~ entity ~ " uses key " ~ key ~ " but the landing contract has "
                    ~ node.meta.get('key')) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro landing_deduplicate(relation, entity, columns, key) -%}
    {#- The body of a select that turns the raw rows of `relation` (a landing entity) into its
        distinct records: every column cleaned with clean_text (and lower-cased where the
        contract hashes it in lower case, so records differ only where their hashes do); rows identical in every cleaned
        column and from the same delivery collapse into one (exact duplicates;
        `exact_duplicates_removed` counts the extra copies); `is_conflicting_duplicate` marks
        records that share a non-missing key with another distinct record of the same id scope;
        `delivered_record` is one delivered copy (landing_delivered_record: the least, so a
        rebuild picks the same), from which the checked model writes original_record.
        Ids that belong to the delivering organisation (the contract's scoped_columns) leave as
        "<OIN>:<id>" when the delivery is one organisation's (id_scope), else as delivered.
        The contract's personal-data columns leave this select only as <name>_hash. -#}
    {%- do check_landing_columns(entity, columns, key) -%}
    {%- set hashed_columns = landing_personal_data(entity) -%}
    {%- set scoped = _landing_contract_entity(entity)['scoped_columns'] -%}
    {%- set delivery_columns = ['_delivery_id', '_delivering_organisation_id', '_id_scope', '_delivery_period'] -%}
    {%- set key_is_scoped = key in scoped -%}
    {%- set key_partition = ('_id_scope, ' if key_is_scoped else '') ~ key -%}
    {%- set record_columns = (columns + delivery_columns) | join(', ') -%}
    {%- set key_hash = 'hash(' ~ ('_id_scope, ' if key_is_scoped else '') ~ clean_text(key) ~ ')' -%}
    {#- Grouping every row by all its columns, to find the rare exact copies, was the most
        expensive step of a build (at 10M lines it spilled gigabytes). A row whose key occurs
        once is a distinct record on its own; only rows whose key repeats, or is missing, are
        grouped. The repeated keys are found by the 64-bit hash of the cleaned key (grouping
        hashes is cheaper than grouping text): a collision only sends a few more rows down
        the exact path, which finds the true duplicates and conflicts. Rows are cleaned after
        that split, so each row is cleaned once. `not materialized`: each branch streams from
        the source, where a shared CTE of every row (100M rows: over 50 GB spilled) would be
        written first; the calling model's own `source` CTE is `not materialized` for the
        same reason. -#}
    with repeated_keys as (
        select {{ key_hash }} as repeated_key_hash
        from {{ relation }}
        where {{ clean_text(key) }} is not null
        group by {{ key_hash }}
        having count(*) > 1
    ),

    keyed as not materialized (
        select
            {{ relation }}.*,
            {{ clean_text(key) }} is not null and repeated_keys.repeated_key_hash is null as has_single_row
        from {{ relation }}
        left join repeated_keys
            on {{ key_hash }} = repeated_keys.repeated_key_hash
    ),

    cleaned as not materialized (
        select
            {%- for column in columns %}
                {%- if hashed_columns.get(column) %}
            lower({{ clean_text(column) }}) as {{ column }},
                {%- else %}
            {{ clean_text(column) }} as {{ column }},
                {%- endif %}
            {%- endfor %}
            {{ delivery_columns | join(', ') }},
            {{ landing_delivered_record(columns, hashed_columns) }} as delivered_record,
            has_single_row
        from keyed
    ),

    records as (
        select
            {{ record_columns }},
            delivered_record,
            1 as copies,
            false as is_conflicting_duplicate
        from cleaned
        where has_single_row
        union all
        select
            {{ record_columns }},
            min(delivered_record) as delivered_record,
            count(*) as copies,
            coalesce(
                {{ key }} is not null and count(*) over (partition by {{ key_partition }}) > 1, false
            ) as is_conflicting_duplicate
        from cleaned
        where not has_single_row
        group by {{ record_columns }}
    )

    select
        {%- for column in columns %}
            {%- if column in hashed_columns %}
        {{ hash_personal_data(column, hashed_columns[column]) }} as {{ column }}_hash,
            {%- elif column in scoped %}
        {{ scoped_id(column) }} as {{ column }},
            {%- else %}
        {{ column }},
            {%- endif %}
        {%- endfor %}
        _delivery_id as delivery_id,
        _delivering_organisation_id as delivering_organisation_id,
        _id_scope as id_scope,
        _delivery_period as delivery_period,
        delivered_record,
        copies - 1 as exact_duplicates_removed,
        is_conflicting_duplicate
    from records
{%- endmacro %}


{% macro scoped_id(column) -%}
    {#- An id that belongs to the delivering organisation, made national: "<OIN>:<id>" for a
        delivery of one organisation (_id_scope), the id as delivered for a multi-organisation
        folder (one namespace); null stays null. -#}
    coalesce(_id_scope || ':', '') || {{ column }}
{%- endmacro %}
