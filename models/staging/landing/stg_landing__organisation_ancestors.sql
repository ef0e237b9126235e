-- grain: one row per loaded organisation and organisation at or above it (itself included),
-- by parent_organisation_id: what a delivery of the upper one may hold for the lower one.
with recursive

organisations as (
    select
        organisation_id,
        parent_organisation_id
    from {{ ref('stg_landing__organisations') }}
),

ancestors (organisation_id, ancestor_organisation_id, hops) as (
    select
        organisation_id,
        organisation_id as ancestor_organisation_id,
        0 as hops
    from organisations
    union all
    select
        ancestors.organisation_id,
        organisations.parent_organisation_id,
        ancestors.hops + 1
    from ancestors
    inner join organisations
        on ancestors.ancestor_organisation_id = organisations.organisation_id
    -- a bounded depth, so that a delivered cycle of parents cannot loop
    where organisations.parent_organisation_id is not null and ancestors.hops < 10
),

final as (
    select distinct
        organisation_id,
        ancestor_organisation_id
    from ancestors
)

select * from final
