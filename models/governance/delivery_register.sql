-- grain: one row per recorded delivery (delivery_id)
-- The delivery register as published: every delivery with its files summarised, the name of
-- the delivering organisation, and whether it is still current.
with

deliveries as (
    select * from {{ ref('stg_deliveries__deliveries') }}
),

delivery_files as (
    select * from {{ ref('stg_deliveries__delivery_files') }}
),

delivery_organisations as (
    select * from {{ ref('delivery_organisations') }}
),

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

expected_organisations as (
    select * from {{ ref('expected_organisations') }}
),

files as (
    select
        delivery_id,
        count(*) as file_count,
        count(case when row_count > 0 then 1 end) as non_empty_file_count,
        cast(sum(row_count) as bigint) as row_count,
        cast(sum(file_bytes) as bigint) as file_bytes,
        list(entity order by entity) as entities
    from delivery_files
    group by delivery_id
),

replaced as (
    select
        delivery_organisations.delivery_id,
        delivery_organisations.superseded_by,
        replacing.delivery_sequence as superseded_by_sequence
    from delivery_organisations
    left join deliveries as replacing
        on delivery_organisations.superseded_by = replacing.delivery_id
),

-- a delivery stays current while at least one organisation it covers has not been replaced
-- entirely; it is replaced by the last of the deliveries that replaced its organisations
coverage as (
    select
        delivery_id,
        count(*) as organisations_covered,
        count(case when superseded_by is null then 1 end) as organisations_current,
        arg_max(superseded_by, superseded_by_sequence) as superseded_by_last
    from replaced
    group by delivery_id
),

final as (
    select
        deliveries.delivery_id,
        deliveries.delivery_sequence,
        deliveries.organisation_id,
        coalesce(organisations.name, expected_organisations.name) as organisation_name,
        deliveries.delivery_scope,
        deliveries.period,
        deliveries.received_at,
        deliveries.status,
        deliveries.reason,
        deliveries.content_sha256,
        deliveries.source_folder,
        coalesce(files.file_count, 0) as file_count,
        coalesce(files.non_empty_file_count, 0) as non_empty_file_count,
        coalesce(files.row_count, 0) as row_count,
        coalesce(files.file_bytes, 0) as file_bytes,
        coalesce(files.entities, []) as entities,
        coalesce(coverage.organisations_covered, 0) as organisations_covered,
        deliveries.is_accepted
        and coalesce(coverage.organisations_current, 1) > 0 as is_current,
        case
            when deliveries.is_accepted and coverage.organisations_current = 0
                then coverage.superseded_by_last
        end as superseded_by
    from deliveries
    left join files
        on deliveries.delivery_id = files.delivery_id
    left join coverage
        on deliveries.delivery_id = coverage.delivery_id
    left join organisations
        on deliveries.organisation_id = organisations.organisation_id
    left join expected_organisations
        on deliveries.organisation_id = expected_organisations.organisation_id
)

select * from final
