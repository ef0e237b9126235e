-- grain: one row per recorded delivery (delivery_id)
with

source as (
    select * from {{ source('deliveries', 'deliveries') }}
),

typed as (
    select
        cast(trim(delivery_id) as varchar) as delivery_id,
        cast(sequence as integer) as delivery_sequence,
        cast(nullif(trim(organisation_id), '') as varchar) as organisation_id,
        cast(period as integer) as period,
        cast(received_at as timestamp) as received_at,
        cast(lower(trim(status)) as varchar) as status,
        cast(nullif(trim(reason), '') as varchar) as reason,
        cast(lower(trim(content_sha256)) as varchar) as content_sha256,
        cast(source_folder as varchar) as source_folder
    from source
),

final as (
    select
        delivery_id,
        delivery_sequence,
        organisation_id,
        period,
        case
            when organisation_id is null then 'landing_folder'
            when period is null then 'complete'
            else 'period'
        end as delivery_scope,
        received_at,
        status,
        status = 'accepted' as is_accepted,
        reason,
        content_sha256,
        source_folder
    from typed
)

select * from final
