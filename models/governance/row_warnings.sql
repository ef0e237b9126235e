-- grain: one row per warning on a loaded landing record (entity × source_key × reason_code).
-- Warnings of rejected records are not repeated here: rejected_rows holds those records, and
-- their warnings stay visible in the stg_landing__<entity>__checked models.
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

warnings as (
    {% for entity in entities %}
    select
        '{{ entity }}' as entity,
        {{ landing_contract_key(entity) }} as source_key,
        delivery_id,
        original_record,
        unnest(warnings) as reason_code
    from checked_{{ entity }}
    where is_loaded
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

final as (
    select
        warnings.entity,
        warnings.source_key,
        warnings.reason_code,
        landing_rules.column_name,
        landing_rules.severity,
        landing_rules.dq_dimension,
        landing_rules.description as reason,
        warnings.original_record,
        warnings.delivery_id,
        '{{ invocation_id }}' as run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as loaded_at
    from warnings
    left join landing_rules
        on
            warnings.entity = landing_rules.entity
            and warnings.reason_code = landing_rules.reason_code
)

select * from final
