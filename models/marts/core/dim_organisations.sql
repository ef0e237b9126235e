-- grain: one row per loaded organisation
-- The contracting authorities: name, government layer, EU-threshold authority class and the
-- parent organisation (with its name when the parent is a loaded organisation).
with

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

final as (
    select
        organisations.organisation_id,
        organisations.name,
        organisations.government_layer,
        {{ authority_class('organisations.government_layer') }} as authority_class,
        organisations.parent_organisation_id,
        parents.name as parent_organisation_name,
        parents.government_layer as parent_government_layer
    from organisations
    left join organisations as parents
        on organisations.parent_organisation_id = parents.organisation_id
)

select
    organisation_id,
    name,
    government_layer,
    authority_class,
    parent_organisation_id,
    parent_organisation_name,
    parent_government_layer
from final
