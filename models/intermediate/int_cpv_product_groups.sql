-- grain: one row per 8-digit CPV 2008 code
-- The MVI product group of every CPV code: the group whose CPV prefix is the LONGEST prefix
-- of the code (a prefix belongs to one group); no matching prefix -> 'unclassified'.
with

cpv_codes as (
    select lpad(cast(code as varchar), 8, '0') as cpv_code
    from {{ ref('cpv_codes') }}
),

prefixes as (
    select
        cast(product_group_id as varchar) as product_group_id,
        cast(cpv_prefix as varchar) as cpv_prefix
    from {{ ref('product_group_cpv_prefixes') }}
),

product_groups as (
    select
        cast(product_group_id as varchar) as product_group_id,
        cast(sector_id as varchar) as sector_id,
        nullif(trim(cast(isv_risk_category as varchar)), '') as isv_risk_category,
        cast(is_circular_priority as boolean) as is_circular_priority
    from {{ ref('mvi_product_groups') }}
),

prefix_matches as (
    select
        cpv_codes.cpv_code,
        prefixes.product_group_id,
        prefixes.cpv_prefix,
        row_number() over (
            partition by cpv_codes.cpv_code
            order by length(prefixes.cpv_prefix) desc, prefixes.cpv_prefix asc
        ) as match_rank
    from cpv_codes
    inner join prefixes
        on substr(cpv_codes.cpv_code, 1, length(prefixes.cpv_prefix)) = prefixes.cpv_prefix
),

longest_match as (
    select
        cpv_code,
        product_group_id,
        cpv_prefix
    from prefix_matches
    where match_rank = 1
),

final as (
    select
        cpv_codes.cpv_code,
        {{ cpv_division('cpv_codes.cpv_code') }} as cpv_division,
        coalesce(longest_match.product_group_id, 'unclassified') as product_group_id,
        longest_match.cpv_prefix as matched_cpv_prefix,
        product_groups.sector_id,
        product_groups.isv_risk_category,
        product_groups.isv_risk_category is not null as is_isv_risk,
        coalesce(product_groups.is_circular_priority, false) as is_circular_priority
    from cpv_codes
    left join longest_match
        on cpv_codes.cpv_code = longest_match.cpv_code
    left join product_groups
        on longest_match.product_group_id = product_groups.product_group_id
)

select * from final
