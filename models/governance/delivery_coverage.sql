-- grain: one row per expected organisation x year x landing entity x delivery covering that
-- organisation-year (delivery_id null on the missing row of an organisation-year that no
-- accepted delivery covers)
with

expected_organisations as (
    select * from {{ ref('expected_organisations') }}
),

delivery_organisations as (
    select * from {{ ref('delivery_organisations') }}
),

delivery_files as (
    select * from {{ ref('stg_deliveries__delivery_files') }}
),

entities as (
    select unnest({{ landing_entity_names() }}) as entity
),

expected_years as (
    select
        organisation_id,
        name as organisation_name,
        government_layer,
        cast(unnest(range(first_year, last_year + 1)) as integer) as year -- noqa: RF04
    from expected_organisations
),

-- every delivery covering an expected organisation-year: a complete delivery (or a landing
-- folder) covers all years, a period delivery its year
covering as (
    select
        expected_years.organisation_id,
        expected_years.year,
        delivery_organisations.delivery_id,
        delivery_organisations.delivery_sequence,
        delivery_organisations.is_accepted,
        delivery_organisations.received_at
    from expected_years
    inner join delivery_organisations
        on
            expected_years.organisation_id = delivery_organisations.organisation_id
            and (
                delivery_organisations.period is null
                or expected_years.year = delivery_organisations.period
            )
),

-- the current delivery of an organisation-year: its last accepted covering delivery
current_deliveries as (
    select
        organisation_id,
        year, -- noqa: RF04
        max(delivery_sequence) as current_sequence
    from covering
    where is_accepted
    group by organisation_id, year
),

-- every expected organisation-year and entity, with its current delivery (if any)
expected_entities as (
    select
        expected_years.organisation_id,
        expected_years.organisation_name,
        expected_years.government_layer,
        expected_years.year,
        entities.entity,
        current_deliveries.current_sequence
    from expected_years
    cross join entities
    left join current_deliveries
        on
            expected_years.organisation_id = current_deliveries.organisation_id
            and expected_years.year = current_deliveries.year
),

delivered as (
    select
        expected_entities.organisation_id,
        expected_entities.organisation_name,
        expected_entities.government_layer,
        expected_entities.year,
        expected_entities.entity,
        covering.delivery_id,
        covering.delivery_sequence,
        covering.received_at,
        case
            when not covering.is_accepted then 'refused'
            when covering.delivery_sequence < expected_entities.current_sequence then 'superseded'
            when delivery_files.row_count > 0 then 'delivered'
            else 'missing'
        end as coverage_status,
        coalesce(covering.delivery_sequence = expected_entities.current_sequence, false) as is_current,
        delivery_files.file_name,
        delivery_files.row_count
    from expected_entities
    inner join covering
        on
            expected_entities.organisation_id = covering.organisation_id
            and expected_entities.year = covering.year
    left join delivery_files
        on
            covering.delivery_id = delivery_files.delivery_id
            and expected_entities.entity = delivery_files.entity
),

-- an organisation-year without any accepted delivery: one missing row per entity
not_delivered as (
    select
        * exclude (current_sequence),
        cast(null as varchar) as delivery_id,
        cast(null as integer) as delivery_sequence,
        cast(null as timestamp) as received_at,
        'missing' as coverage_status,
        false as is_current,
        cast(null as varchar) as file_name,
        cast(null as bigint) as row_count
    from expected_entities
    where current_sequence is null
),

-- delivered and not_delivered list the same columns in the same order
final as (
    select * from delivered
    union all
    select * from not_delivered
)

select * from final
