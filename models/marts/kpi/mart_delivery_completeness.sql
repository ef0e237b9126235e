-- grain: one row per (scope_level, scope_id, year): government_layer rows and the national row
-- Delivery completeness: of the organisations expected to report for a year, how many have an
-- accepted current delivery covering that year.
with

completeness as (
    select * from {{ ref('delivery_completeness') }}
),

organisation_years as (
    select
        organisation_id,
        government_layer,
        year, -- noqa: RF04
        max(case when current_delivery_id is not null then 1 else 0 end) as has_current_delivery
    from completeness
    group by organisation_id, government_layer, year
),

-- each organisation counts for its government layer and for the nation
scope_levels as (
    select unnest(['government_layer', 'national']) as scope_level
),

scoped as (
    select
        scope_levels.scope_level,
        case
            when scope_levels.scope_level = 'government_layer' then organisation_years.government_layer
            else 'NL'
        end as scope_id,
        organisation_years.year,
        organisation_years.has_current_delivery
    from organisation_years
    cross join scope_levels
),

scopes as (
    select
        scope_level,
        scope_id,
        year, -- noqa: RF04
        count(*) as organisations_expected,
        sum(has_current_delivery) as organisations_delivered
    from scoped
    group by scope_level, scope_id, year
),

final as (
    select
        cast(scope_level as varchar) as scope_level,
        cast(scope_id as varchar) as scope_id,
        cast(year as integer) as year, -- noqa: RF04
        cast(organisations_expected as bigint) as organisations_expected,
        cast(organisations_delivered as bigint) as organisations_delivered,
        cast(100.0 * organisations_delivered / organisations_expected as double) as share_delivered
    from scopes
)

select * from final
