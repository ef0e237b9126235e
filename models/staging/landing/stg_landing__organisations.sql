{{ config(materialized='view') }}
-- grain: one row per organisation_id (loaded organisations only: no fatal reason)
with

checked as (
    select * from {{ ref('stg_landing__organisations__checked') }}
),

final as (
    select
        organisation_id,
        name,
        government_layer,
        parent_organisation_id,
        warnings,
        delivery_id
    from checked
    where is_loaded
)

select * from final
