-- grain: one row per sector of the sector cards, plus `unclassified` (the sector of the
-- `unclassified` product group)
with

sectors as (
    select
        cast(sector_id as varchar) as sector_id,
        cast(name_nl as varchar) as name_nl,
        cast(name_en as varchar) as name_en,
        cast(description as varchar) as description
    from {{ ref('sectors') }}
),

product_groups as (
    select * from {{ ref('dim_product_groups') }}
),

unclassified as (
    select
        'unclassified' as sector_id,
        'Niet ingedeeld' as name_nl,
        'Unclassified' as name_en,
        'Spend, contracts and tenders whose CPV code matches no MVI product group prefix, '
        || 'or that have no valid CPV code.' as description
),

all_sectors as (
    select
        sector_id,
        name_nl,
        name_en,
        description,
        false as is_unclassified
    from sectors

    union all

    select
        sector_id,
        name_nl,
        name_en,
        description,
        true as is_unclassified
    from unclassified
),

groups_per_sector as (
    select
        sector_id,
        count(*) as product_group_count,
        sum(case when is_isv_risk then 1 else 0 end) as isv_risk_product_group_count,
        sum(case when is_circular_priority then 1 else 0 end) as circular_priority_product_group_count
    from product_groups
    group by sector_id
),

final as (
    select
        all_sectors.sector_id,
        all_sectors.name_nl,
        all_sectors.name_en,
        all_sectors.description,
        all_sectors.is_unclassified,
        cast(coalesce(groups_per_sector.product_group_count, 0) as bigint) as product_group_count,
        cast(coalesce(groups_per_sector.isv_risk_product_group_count, 0) as bigint)
            as isv_risk_product_group_count,
        cast(coalesce(groups_per_sector.circular_priority_product_group_count, 0) as bigint)
            as circular_priority_product_group_count
    from all_sectors
    left join groups_per_sector
        on all_sectors.sector_id = groups_per_sector.sector_id
)

select
    sector_id,
    name_nl,
    name_en,
    description,
    is_unclassified,
    product_group_count,
    isv_risk_product_group_count,
    circular_priority_product_group_count
from final
