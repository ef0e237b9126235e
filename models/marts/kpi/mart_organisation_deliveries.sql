-- grain: one row per (organisation_id, delivery_id, entity, reason_code): the rejected rows of
-- an organisation in a delivery per landing entity and reason; an organisation-delivery without
-- rejected rows has one row with entity and reason_code null and rejected_rows 0
-- What each organisation delivered (its accepted deliveries from the register, current or
-- superseded) and what the last build rejected of it. Counts, reason codes and the
-- contract's descriptions only: no delivered value, no refusal text, no file path.
with

delivery_organisations as (
    select * from {{ ref('delivery_organisations') }}
),

delivery_register as (
    select * from {{ ref('delivery_register') }}
),

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

tenders as (
    select * from {{ ref('stg_landing__tenders') }}
),

contracts as (
    select * from {{ ref('stg_landing__contracts') }}
),

-- the organisation a rejected row belongs to: the delivering organisation of a one-organisation
-- delivery; in a multi-organisation landing folder the organisation the record names, directly
-- or through its tender or contract (suppliers and their certificates belong to none)
rejected as (
    select
        rejected_rows.delivery_id,
        rejected_rows.entity,
        rejected_rows.reason_code,
        rejected_rows.reason,
        coalesce(
            delivery_register.organisation_id,
            case
                when rejected_rows.entity in ('organisations', 'tenders', 'contracts', 'invoice_lines')
                    then json_extract_string(rejected_rows.original_record, '$.organisation_id')
            end,
            tenders.organisation_id,
            contracts.organisation_id
        ) as organisation_id
    from rejected_rows
    inner join delivery_register
        on rejected_rows.delivery_id = delivery_register.delivery_id
    left join tenders
        on
            delivery_register.organisation_id is null
            and rejected_rows.entity = 'tender_criteria'
            and json_extract_string(rejected_rows.original_record, '$.tender_id') = tenders.tender_id
    left join contracts
        on
            delivery_register.organisation_id is null
            and rejected_rows.entity in ('social_return_realisations', 'material_reports')
            and json_extract_string(rejected_rows.original_record, '$.contract_id') = contracts.contract_id
),

rejected_counts as (
    select
        organisation_id,
        delivery_id,
        entity,
        reason_code,
        max(reason) as reason,
        count(*) as rejected_rows
    from rejected
    where organisation_id is not null
    group by organisation_id, delivery_id, entity, reason_code
),

-- every delivery of every organisation it covers, with the register's summary
organisation_deliveries as (
    select
        delivery_organisations.organisation_id,
        delivery_organisations.delivery_id,
        delivery_organisations.delivery_sequence,
        delivery_organisations.delivery_scope,
        delivery_organisations.period,
        delivery_organisations.received_at,
        delivery_register.status,
        delivery_organisations.is_accepted
        and delivery_organisations.superseded_by is null as is_current,
        delivery_organisations.superseded_by,
        delivery_register.file_count,
        delivery_register.row_count as delivery_row_count,
        delivery_register.organisations_covered
    from delivery_organisations
    inner join delivery_register
        on delivery_organisations.delivery_id = delivery_register.delivery_id
    -- a refused delivery changes nothing published: it stays in governance.delivery_register
    where delivery_register.status = 'accepted'
),

final as (
    select
        cast(organisation_deliveries.organisation_id as varchar) as organisation_id,
        cast(organisation_deliveries.delivery_id as varchar) as delivery_id,
        cast(organisation_deliveries.delivery_sequence as integer) as delivery_sequence,
        cast(organisation_deliveries.delivery_scope as varchar) as delivery_scope,
        cast(organisation_deliveries.period as integer) as period,
        cast(organisation_deliveries.received_at as timestamp) as received_at,
        cast(organisation_deliveries.status as varchar) as status,
        cast(organisation_deliveries.is_current as boolean) as is_current,
        cast(organisation_deliveries.superseded_by as varchar) as superseded_by,
        cast(organisation_deliveries.file_count as bigint) as file_count,
        cast(organisation_deliveries.delivery_row_count as bigint) as delivery_row_count,
        cast(organisation_deliveries.organisations_covered as bigint) as organisations_covered,
        cast(rejected_counts.entity as varchar) as entity,
        cast(rejected_counts.reason_code as varchar) as reason_code,
        cast(rejected_counts.reason as varchar) as reason,
        cast(coalesce(rejected_counts.rejected_rows, 0) as bigint) as rejected_rows
    from organisation_deliveries
    left join rejected_counts
        on
            organisation_deliveries.organisation_id = rejected_counts.organisation_id
            and organisation_deliveries.delivery_id = rejected_counts.delivery_id
)

select * from final
