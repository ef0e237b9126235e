-- grain: one row per landing entity x measure (reconciliation, traceable_records): the
-- traceability measures of the quality scorecard. reconciliation: every raw row accounted for
-- (raw = loaded + rejected + exact duplicates); traceable_records: every loaded record
-- traceable to its parties (no unknown or missing reference warning).
{{ config(materialized='ephemeral') }}
with

landing_reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

row_warnings as (
    select * from {{ ref('row_warnings') }}
),

reconciliation_measures as (
    select
        entity,
        'traceability' as dq_dimension,
        'reconciliation' as measure,
        'raw rows' as unit,
        raw_rows as denominator,
        abs(raw_rows - (loaded_rows + rejected_rows + exact_duplicates_removed)) as failing
    from landing_reconciliation
),

untraceable as (
    select
        entity,
        count(distinct source_key) as failing
    from row_warnings
    where starts_with(reason_code, 'unknown_') or reason_code = 'missing_supplier_id'
    group by entity
),

traceable_measures as (
    select
        landing_reconciliation.entity,
        'traceability' as dq_dimension,
        'traceable_records' as measure,
        'records' as unit,
        landing_reconciliation.loaded_rows as denominator,
        coalesce(untraceable.failing, 0) as failing
    from landing_reconciliation
    left join untraceable
        on landing_reconciliation.entity = untraceable.entity
),

final as (
    select * from reconciliation_measures
    union all
    select * from traceable_measures
)

select * from final
