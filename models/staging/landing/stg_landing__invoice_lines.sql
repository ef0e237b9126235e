{{ config(materialized='view') }}
-- grain: one row per invoice_line_id (loaded invoice_lines only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__invoice_lines__checked') }}
),

final as (
    select
        invoice_line_id,
        invoice_number,
        organisation_id,
        supplier_id,
        contract_id,
        invoice_date,
        amount,
        currency,
        cpv_code,
        description_hash,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
