-- grain: one row per loaded material report
-- Year of period_end; organisation (and layer) of the report's contract.
with

material_reports as (
    select * from {{ ref('stg_landing__material_reports') }}
),

contracts as (
    select * from {{ ref('int_contracts_enriched') }}
),

final as (
    select
        material_reports.report_id,
        material_reports.contract_id,
        contracts.organisation_id,
        contracts.government_layer,
        contracts.product_group_id,
        material_reports.period_end,
        {{ year_of('material_reports.period_end') }} as period_year,
        material_reports.material_total_kg,
        material_reports.secondary_material_kg,
        material_reports.delivery_id
    from material_reports
    inner join contracts
        on material_reports.contract_id = contracts.contract_id
)

select * from final
