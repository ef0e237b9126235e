{{ config(materialized='view') }}
-- grain: one row per realisation_id (loaded social_return_realisations only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__social_return_realisations__checked') }}
),

final as (
    select
        realisation_id,
        contract_id,
        period_end,
        realised_value_eur,
        placements_fte,
        target_group,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
