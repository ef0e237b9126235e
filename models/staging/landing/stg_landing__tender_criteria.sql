{{ config(materialized='view') }}
-- grain: one row per criterion_id (loaded tender_criteria only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__tender_criteria__checked') }}
),

final as (
    select
        criterion_id,
        tender_id,
        theme,
        criterion_kind,
        ambition_level,
        award_weight_pct,
        r_level,
        source,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
