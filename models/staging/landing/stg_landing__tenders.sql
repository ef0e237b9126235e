{{ config(materialized='view') }}
-- grain: one row per tender_id (loaded tenders only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__tenders__checked') }}
),

final as (
    select
        tender_id,
        organisation_id,
        title,
        cpv_code,
        contract_type,
        procedure,
        publication_date,
        award_date,
        status,
        estimated_value_eur,
        awarded_value_eur,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
