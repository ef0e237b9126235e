-- Fails (returns rows) when a landing entity is missing from governance.landing_reconciliation
-- or does not reconcile: raw rows <> loaded rows + rejected rows + exact duplicates removed.
-- sqlfluff:indentation:template_blocks_indent:false
{% set entities = landing_entity_names() %}
with

expected_entities as (
    {% for entity in entities %}
    select '{{ entity }}' as entity
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

final as (
    select
        expected_entities.entity,
        reconciliation.raw_rows,
        reconciliation.loaded_rows,
        reconciliation.rejected_rows,
        reconciliation.exact_duplicates_removed,
        reconciliation.is_reconciled
    from expected_entities
    left join reconciliation
        on expected_entities.entity = reconciliation.entity
    where reconciliation.is_reconciled is null or not reconciliation.is_reconciled
)

select * from final
