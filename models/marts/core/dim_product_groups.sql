-- grain: one row per MVI product group, plus `unclassified` (CPV codes without a matching prefix)
-- The 45 MVI product groups of the mvi_product_groups seed with their cluster, sector, ISV
-- risk category and circular priority, the CPV prefixes that place a code in the group and
-- the number of CPV 2008 codes the longest-prefix rule assigns to it.
with

product_groups as (
    select
        cast(product_group_id as varchar) as product_group_id,
        cast(name_nl as varchar) as name_nl,
        cast(name_en as varchar) as name_en,
        cast(cluster as varchar) as cluster,  -- noqa: RF04
        cast(sector_id as varchar) as sector_id,
        nullif(trim(cast(isv_risk_category as varchar)), '') as isv_risk_category,
        cast(is_circular_priority as boolean) as is_circular_priority
    from {{ ref('mvi_product_groups') }}
),

prefixes as (
    select
        cast(product_group_id as varchar) as product_group_id,
        cast(cpv_prefix as varchar) as cpv_prefix
    from {{ ref('product_group_cpv_prefixes') }}
),

cpv_product_groups as (
    select * from {{ ref('int_cpv_product_groups') }}
),

unclassified as (
    select
        'unclassified' as product_group_id,
        'Niet ingedeeld' as name_nl,
        'Unclassified' as name_en,
        cast(null as varchar) as cluster,  -- noqa: RF04
        'unclassified' as sector_id,
        cast(null as varchar) as isv_risk_category,
        false as is_circular_priority
),

all_groups as (
    select
        product_group_id,
        name_nl,
        name_en,
        cluster,
        sector_id,
        isv_risk_category,
        is_circular_priority,
        false as is_unclassified
    from product_groups

    union all

    select
        product_group_id,
        name_nl,
        name_en,
        cluster,
        sector_id,
        isv_risk_category,
        is_circular_priority,
        true as is_unclassified
    from unclassified
),

prefixes_per_group as (
    select
        product_group_id,
        {{ dbt.listagg('cpv_prefix', "', '", 'order by cpv_prefix') }} as cpv_prefixes,
        count(*) as cpv_prefix_count
    from prefixes
    group by product_group_id
),

codes_per_group as (
    select
        product_group_id,
        count(*) as cpv_code_count
    from cpv_product_groups
    group by product_group_id
),

final as (
    select
        all_groups.product_group_id,
        all_groups.name_nl,
        all_groups.name_en,
        all_groups.cluster,
        all_groups.sector_id,
        all_groups.isv_risk_category,
        all_groups.isv_risk_category is not null as is_isv_risk,
        all_groups.is_circular_priority,
        all_groups.is_unclassified,
        prefixes_per_group.cpv_prefixes,
        cast(coalesce(prefixes_per_group.cpv_prefix_count, 0) as bigint) as cpv_prefix_count,
        cast(coalesce(codes_per_group.cpv_code_count, 0) as bigint) as cpv_code_count
    from all_groups
    left join prefixes_per_group
        on all_groups.product_group_id = prefixes_per_group.product_group_id
    left join codes_per_group
        on all_groups.product_group_id = codes_per_group.product_group_id
)

select
    product_group_id,
    name_nl,
    name_en,
    cluster,
    sector_id,
    isv_risk_category,
    is_isv_risk,
    is_circular_priority,
    is_unclassified,
    cpv_prefixes,
    cpv_prefix_count,
    cpv_code_count
from final
