-- grain: one row per landing entity of the build:
-- raw rows = loaded rows + rejected rows + exact duplicates removed
{%- set entities = landing_entity_names() %}
with

{% for entity in entities -%}
raw_{{ entity }} as (
    select * from {{ landing_source(entity) }}
),

checked_{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity ~ '__checked') }}
),

loaded_{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity) }}
),

{% endfor -%}
counted as (
    {%- for entity in entities %}
    select
        '{{ entity }}' as entity,
        {{ loop.index }} as entity_order,
        (select count(*) from raw_{{ entity }}) as raw_rows,
        (select count(*) from loaded_{{ entity }}) as loaded_rows,
        (select count(*) from checked_{{ entity }} where not is_loaded) as rejected_rows,
        (
            select coalesce(sum(exact_duplicates_removed), 0) from checked_{{ entity }}
        ) as exact_duplicates_removed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        entity,
        entity_order,
        raw_rows,
        loaded_rows,
        rejected_rows,
        exact_duplicates_removed,
        raw_rows = loaded_rows + rejected_rows + exact_duplicates_removed as is_reconciled,
        '{{ invocation_id }}' as run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as loaded_at
    from counted
)

select * from final
