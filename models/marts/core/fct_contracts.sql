-- grain: one row per loaded contract
with

contracts as (
    select * from {{ ref('int_contracts_enriched') }}
),

final as (
    select
        contract_id,
        tender_id,
        organisation_id,
        government_layer,
        authority_class,
        supplier_id,
        cpv_code,
        product_group_id,
        sector_id,
        isv_risk_category,
        contract_type,
        start_date,
        start_year,
        end_date,
        end_year,
        contract_value_eur,
        is_framework,
        isv_clause,
        is_isv_covered,
        sroi_obligation_eur,
        is_reserved,
        eu_threshold_eur,
        is_above_threshold,
        is_isv_risk,
        is_above_threshold_isv_risk,
        is_sroi_eligible,
        has_sroi_obligation,
        sroi_realised_value_eur,
        sroi_realisation_count,
        delivery_id
    from contracts
)

select * from final
