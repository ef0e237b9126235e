-- grain: one row per expected organisation x year x landing entity
-- Whether each expected organisation has delivered each entity for each year it reports for:
-- delivered (its current accepted delivery has a non-empty file of the entity), refused (not
-- delivered, and the last delivery covering the year was refused) or missing.
with

coverage as (
    select * from {{ ref('delivery_coverage') }}
),

final as (
    select
        organisation_id,
        organisation_name,
        government_layer,
        year, -- noqa: RF04
        entity,
        case
            when bool_or(coverage_status = 'delivered') then 'delivered'
            -- the last delivery covering the year (by order of receipt) was refused
            when coalesce(arg_max(coverage_status = 'refused', delivery_sequence), false) then 'refused'
            else 'missing'
        end as completeness_status,
        max(case when is_current then delivery_id end) as current_delivery_id,
        max(received_at) as last_delivery_at,
        cast(count(case when coverage_status = 'superseded' then 1 end) as integer) as superseded_deliveries,
        cast(count(case when coverage_status = 'refused' then 1 end) as integer) as refused_deliveries
    from coverage
    group by organisation_id, organisation_name, government_layer, year, entity
)

select * from final
