-- The delivery completeness outputs agree: delivered in delivery_completeness exactly when
-- delivery_coverage has a delivered row; one completeness row per entity for every expected
-- organisation-year; the national row of the mart is the sum of its layer rows.
{%- set entity_count = landing_entity_names() | length %}
with

coverage as (
    select * from {{ ref('delivery_coverage') }}
),

completeness as (
    select * from {{ ref('delivery_completeness') }}
),

mart as (
    select * from {{ ref('mart_delivery_completeness') }}
),

delivered_rows as (
    select distinct
        organisation_id,
        year, -- noqa: RF04
        entity
    from coverage
    where coverage_status = 'delivered'
),

status_disagrees as (
    select
        'status' as failed_check,
        completeness.organisation_id as scope_id,
        completeness.year
    from completeness
    left join delivered_rows
        on
            completeness.organisation_id = delivered_rows.organisation_id
            and completeness.year = delivered_rows.year
            and completeness.entity = delivered_rows.entity
    where (completeness.completeness_status = 'delivered') != (delivered_rows.entity is not null)
),

entities_missing as (
    select
        'entities per organisation-year' as failed_check,
        organisation_id as scope_id,
        year -- noqa: RF04
    from completeness
    group by organisation_id, year
    having count(*) != {{ entity_count }}
),

layers_summed as (
    select
        year, -- noqa: RF04
        sum(organisations_expected) as organisations_expected,
        sum(organisations_delivered) as organisations_delivered
    from mart
    where scope_level = 'government_layer'
    group by year
),

national_disagrees as (
    select
        'national row' as failed_check,
        national_rows.scope_id,
        national_rows.year
    from mart as national_rows
    left join layers_summed
        on national_rows.year = layers_summed.year
    where
        national_rows.scope_level = 'national'
        and (
            layers_summed.year is null
            or national_rows.organisations_expected != layers_summed.organisations_expected
            or national_rows.organisations_delivered != layers_summed.organisations_delivered
        )
),

final as (
    select * from status_disagrees
    union all
    select * from entities_missing
    union all
    select * from national_disagrees
)

select * from final
