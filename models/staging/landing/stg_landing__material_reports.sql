{{ config(materialized='view') }}
-- grain: one row per report_id (loaded material_reports only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__material_reports__checked') }}
),

final as (
    select
        report_id,
        contract_id,
        period_end,
        material_total_kg,
        secondary_material_kg,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
