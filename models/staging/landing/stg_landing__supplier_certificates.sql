{{ config(materialized='view') }}
-- grain: one row per certificate_id (loaded supplier_certificates only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__supplier_certificates__checked') }}
),

final as (
    select
        certificate_id,
        supplier_id,
        scheme,
        ladder_version,
        level,
        valid_from,
        valid_to,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
