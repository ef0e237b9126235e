{{ config(materialized='view') }}
-- grain: one row per contract_id (loaded contracts only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__contracts__checked') }}
),

final as (
    select
        contract_id,
        tender_id,
        organisation_id,
        supplier_id,
        cpv_code,
        contract_type,
        start_date,
        end_date,
        contract_value_eur,
        is_framework,
        isv_clause,
        sroi_obligation_eur,
        is_reserved,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
