-- grain: one row per rejected landing record of the build (entity × distinct rejected record;
-- exact duplicates of a rejected record are counted in landing_reconciliation, not repeated)
-- sqlfluff:indentation:template_blocks_indent:false
{% set entities = landing_entity_names() %}
with

{% for entity in entities %}
checked_{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity ~ '__checked') }}
),

{% endfor %}
landing_rules as (
    select * from {{ ref('landing_rules') }}
),

rejected as (
    {% for entity in entities %}
    select
        '{{ entity }}' as entity,
        {{ landing_contract_key(entity) }} as source_key,
        record_id,
        fatal_reasons,
        original_record,
        delivery_id
    from checked_{{ entity }}
    where not is_loaded
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

final as (
    select
        rejected.entity,
        rejected.source_key,
        rejected.record_id,
        rejected.fatal_reasons[1] as reason_code,
        landing_rules.description as reason,
        landing_rules.column_name,
        landing_rules.dq_dimension,
        rejected.fatal_reasons as all_reason_codes,
        rejected.original_record,
        rejected.delivery_id,
        '{{ invocation_id }}' as run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as loaded_at
    from rejected
    left join landing_rules
        on
            rejected.entity = landing_rules.entity
            and rejected.fatal_reasons[1] = landing_rules.reason_code
)

select * from final
