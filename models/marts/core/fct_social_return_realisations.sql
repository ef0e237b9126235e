-- grain: one row per loaded social return realisation
-- Year of period_end; organisation (and layer) of the realisation's contract.
with

realisations as (
    select * from {{ ref('stg_landing__social_return_realisations') }}
),

contracts as (
    select * from {{ ref('int_contracts_enriched') }}
),

final as (
    select
        realisations.realisation_id,
        realisations.contract_id,
        contracts.organisation_id,
        contracts.government_layer,
        realisations.period_end,
        {{ year_of('realisations.period_end') }} as period_year,
        realisations.realised_value_eur,
        realisations.placements_fte,
        realisations.placements_fte is not null as reports_placements,
        realisations.target_group,
        realisations.delivery_id
    from realisations
    inner join contracts
        on realisations.contract_id = contracts.contract_id
)

select * from final
