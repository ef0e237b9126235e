{#- Auditor query: the rejected rows of the build's delivery by source entity and reason.
    Parameters (dbt vars): entity (default none = every entity), example_key_count (default 5).
    Run: dbt compile -s rejected_rows_by_source_and_reason [--vars '{entity: invoice_lines}'],
    then run target/compiled/mvoi/analyses/rejected_rows_by_source_and_reason.sql against the
    BUILD database (governance.rejected_rows is not published: its original records may hold
    personal data; the published database has only the counts). -#}
{%- set entity = var('entity', none) -%}
{%- set example_key_count = var('example_key_count', 5) | int -%}
{%- set entity_sql = 'null' if entity is none else "'" ~ entity ~ "'" -%}
-- grain: one row per (entity, reason_code) with at least one rejected record
with

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

landing_reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

ranked as (
    select
        entity,
        reason_code,
        reason,
        column_name,
        dq_dimension,
        source_key,
        run_id,
        loaded_at,
        len(all_reason_codes) > 1 as has_more_reasons,
        dense_rank() over (
            partition by entity, reason_code order by source_key nulls last
        ) as key_rank
    from rejected_rows
    where entity = coalesce({{ entity_sql }}, entity)
),

per_reason as (
    select
        entity,
        reason_code,
        reason,
        column_name,
        dq_dimension,
        count(*) as rejected_records,
        count(*) - count(source_key) as records_without_key,
        count(*) filter (where has_more_reasons) as records_with_more_reasons,
        string_agg(distinct source_key, ', ' order by source_key) filter (
            where key_rank <= {{ example_key_count }}
        ) as example_source_keys,
        min(run_id) as run_id,
        min(loaded_at) as loaded_at
    from ranked
    group by entity, reason_code, reason, column_name, dq_dimension
),

final as (
    select
        per_reason.entity,
        per_reason.reason_code,
        per_reason.reason,
        per_reason.column_name,
        per_reason.dq_dimension,
        per_reason.rejected_records,
        per_reason.records_without_key,
        per_reason.records_with_more_reasons,
        per_reason.example_source_keys,
        landing_reconciliation.raw_rows as entity_raw_rows,
        landing_reconciliation.rejected_rows as entity_rejected_rows,
        per_reason.rejected_records * 100.0 / nullif(landing_reconciliation.raw_rows, 0)
            as pct_of_entity_raw_rows,
        per_reason.run_id,
        per_reason.loaded_at
    from per_reason
    left join landing_reconciliation
        on per_reason.entity = landing_reconciliation.entity
)

select
    entity,
    reason_code,
    reason,
    column_name,
    dq_dimension,
    rejected_records,
    records_without_key,
    records_with_more_reasons,
    example_source_keys,
    entity_raw_rows,
    entity_rejected_rows,
    pct_of_entity_raw_rows,
    run_id,
    loaded_at
from final
order by entity asc, rejected_records desc, reason_code asc
