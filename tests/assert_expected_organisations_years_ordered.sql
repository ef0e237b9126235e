-- An expected organisation's first reporting year is not after its last
-- (seed expected_organisations): such a row would expect nothing.
with

expected_organisations as (
    select * from {{ ref('expected_organisations') }}
),

final as (
    select
        organisation_id,
        first_year,
        last_year
    from expected_organisations
    where first_year > last_year
)

select * from final
