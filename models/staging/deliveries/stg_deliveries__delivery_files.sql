-- grain: one row per delivery x delivered file (delivery_id, file_name)
with

source as (
    select * from {{ source('deliveries', 'delivery_files') }}
),

final as (
    select
        cast(trim(delivery_id) as varchar) as delivery_id,
        cast(lower(trim(entity)) as varchar) as entity,
        cast(file_name as varchar) as file_name,
        cast(lower(trim(sha256)) as varchar) as sha256,
        cast(row_count as bigint) as row_count,
        cast(bytes as bigint) as file_bytes
    from source
)

select * from final
