-- grain: one row per notice buyer (organisation_id, an OIN); a row without a valid OIN, name or
-- government layer is left out (the ingest quarantines such buyers).
with

source as (
    select * from {{ source('notices', 'organisations') }}
),

parsed as (
    select
        {{ clean_text('organisation_id') }} as organisation_id,
        {{ clean_text('name') }} as name,  -- noqa: RF04
        {{ parse_landing_code('organisations', 'government_layer') }} as government_layer
    from source
),

final as (
    select
        organisation_id,
        name,
        government_layer
    from parsed
    where
        {{ is_valid_oin('organisation_id') }}
        and name is not null
        and government_layer is not null
)

select * from final
