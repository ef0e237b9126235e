-- grain: one row per delivery x organisation it covers (delivery_id, organisation_id)
-- What each delivery covers: its own organisation (all years, or its period), or for a
-- multi-organisation landing-folder delivery (no organisation_id) every loaded organisation,
-- all years; and, for an accepted delivery, the later accepted delivery of the same
-- organisation that replaces all of it.
with

deliveries as (
    select * from {{ ref('stg_deliveries__deliveries') }}
),

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

covered as (
    select
        deliveries.delivery_id,
        deliveries.delivery_sequence,
        coalesce(deliveries.organisation_id, organisations.organisation_id) as organisation_id,
        deliveries.period,
        deliveries.delivery_scope,
        deliveries.is_accepted,
        deliveries.received_at
    from deliveries
    left join organisations
        on deliveries.organisation_id is null
    where deliveries.organisation_id is not null or organisations.organisation_id is not null
),

-- a later accepted delivery of the organisation replaces this one for every year it
-- covers when it covers all years or the same period
superseding as (
    select
        covered.delivery_id,
        covered.organisation_id,
        min(later.delivery_sequence) as superseded_by_sequence
    from covered
    inner join covered as later
        on
            covered.organisation_id = later.organisation_id
            and covered.delivery_sequence < later.delivery_sequence
            and later.is_accepted
            and (later.period is null or covered.period = later.period)
    where covered.is_accepted
    group by covered.delivery_id, covered.organisation_id
),

final as (
    select
        covered.delivery_id,
        covered.organisation_id,
        covered.delivery_sequence,
        covered.period,
        covered.delivery_scope,
        covered.is_accepted,
        covered.received_at,
        replacing.delivery_id as superseded_by
    from covered
    left join superseding
        on
            covered.delivery_id = superseding.delivery_id
            and covered.organisation_id = superseding.organisation_id
    left join covered as replacing
        on
            superseding.organisation_id = replacing.organisation_id
            and superseding.superseded_by_sequence = replacing.delivery_sequence
)

select * from final
