{{ config(materialized='view') }}
-- grain: one row per supplier_id (loaded suppliers only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__suppliers__checked') }}
),

final as (
    select
        supplier_id,
        name,
        kvk_number,
        country_code,
        size_class,
        is_social_enterprise,
        contact_email_hash,
        warnings,
        delivery_id,
        delivering_organisation_id,
        source_supplier_id
    from checked
    where is_loaded
)

select * from final
