-- grain: one row per landing entity of the build:
-- raw rows = loaded rows + rejected rows + exact duplicates removed
-- sqlfluff:indentation:template_blocks_indent:false
{% set entities = landing_entity_names() %}
{#- the entities whose rows carry money: their rejected amount is reported too -#}
{% set amount_columns = {'invoice_lines': 'amount'} %}
with

{% for entity in entities %}
raw_{{ entity }} as (
    select * from {{ source('landing', entity) }}
),

checked_{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity ~ '__checked') }}
),

loaded_{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity) }}
),

{% endfor %}
raw_counts as (
    {% for entity in entities %}
    select
        '{{ entity }}' as entity,
        {{ loop.index }} as entity_order,
        count(*) as raw_rows
    from raw_{{ entity }}
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

checked_counts as (
    {% for entity in entities %}
    select
        '{{ entity }}' as entity,
        sum(case when is_loaded then 0 else 1 end) as rejected_rows,
        sum(exact_duplicates_removed) as exact_duplicates_removed,
        {% if entity in amount_columns %}
        sum({{ amount_columns[entity] }}) as delivered_amount,
        sum(case when not is_loaded then {{ amount_columns[entity] }} end) as rejected_amount
        {% else %}
        cast(null as decimal(38, 2)) as delivered_amount,
        cast(null as decimal(38, 2)) as rejected_amount
        {% endif %}
    from checked_{{ entity }}
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

loaded_counts as (
    {% for entity in entities %}
    select
        '{{ entity }}' as entity,
        count(*) as loaded_rows
    from loaded_{{ entity }}
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

counted as (
    select
        raw_counts.entity,
        raw_counts.entity_order,
        raw_counts.raw_rows,
        coalesce(loaded_counts.loaded_rows, 0) as loaded_rows,
        coalesce(checked_counts.rejected_rows, 0) as rejected_rows,
        coalesce(checked_counts.exact_duplicates_removed, 0) as exact_duplicates_removed,
        checked_counts.delivered_amount,
        checked_counts.rejected_amount
    from raw_counts
    left join checked_counts
        on raw_counts.entity = checked_counts.entity
    left join loaded_counts
        on raw_counts.entity = loaded_counts.entity
),

final as (
    select
        entity,
        entity_order,
        raw_rows,
        loaded_rows,
        rejected_rows,
        exact_duplicates_removed,
        rejected_rows / nullif(raw_rows - exact_duplicates_removed, 0) as rejected_share,
        delivered_amount,
        coalesce(rejected_amount, case when delivered_amount is not null then 0 end) as rejected_amount,
        abs(coalesce(rejected_amount, 0)) / nullif(abs(delivered_amount), 0) as rejected_amount_share,
        raw_rows = loaded_rows + rejected_rows + exact_duplicates_removed as is_reconciled,
        '{{ invocation_id }}' as run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as loaded_at
    from counted
)

select * from final
