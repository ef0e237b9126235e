-- grain: one row per (product_group_id, year) with at least one invoice line, contract start or
-- awarded tender of the product group in that year
-- The product cards (productkaarten): spend, contract value, estimated emissions, MVOI criteria
-- in awarded tenders per theme, ISV-risk exposure and suppliers per MVI product group and year.
with

product_groups as (
    select * from {{ ref('dim_product_groups') }}
),

measures as (
    {{ procurement_card_measures('product_group_id') | indent(4) }}
),

final as (
    select
        measures.card_id as product_group_id,
        measures.year,
        product_groups.name_nl as product_group_name_nl,
        product_groups.name_en as product_group_name_en,
        product_groups.cluster,
        product_groups.sector_id,
        product_groups.isv_risk_category,
        product_groups.is_isv_risk as is_isv_risk_product_group,
        product_groups.is_circular_priority,
        measures.spend_eur,
        measures.invoice_line_count,
        measures.emissions_t_co2e,
        measures.contract_value_eur,
        measures.contract_count,
        measures.awarded_tender_count,
        measures.awarded_tenders_with_criteria_count,
        measures.awarded_tenders_milieu_count,
        measures.awarded_tenders_klimaat_count,
        measures.awarded_tenders_circulair_count,
        measures.awarded_tenders_isv_count,
        measures.awarded_tenders_diversiteit_inclusie_count,
        measures.awarded_tenders_social_return_count,
        measures.awarded_tenders_with_criteria_pct,
        measures.awarded_tenders_milieu_pct,
        measures.awarded_tenders_klimaat_pct,
        measures.awarded_tenders_circulair_pct,
        measures.awarded_tenders_isv_pct,
        measures.awarded_tenders_diversiteit_inclusie_pct,
        measures.awarded_tenders_social_return_pct,
        measures.uncovered_isv_risk_spend_eur,
        measures.above_threshold_isv_risk_contract_count,
        measures.uncovered_isv_risk_contract_count,
        measures.supplier_count
    from measures
    inner join product_groups
        on measures.card_id = product_groups.product_group_id
)

select
    product_group_id,
    year,
    product_group_name_nl,
    product_group_name_en,
    cluster,
    sector_id,
    isv_risk_category,
    is_isv_risk_product_group,
    is_circular_priority,
    spend_eur,
    invoice_line_count,
    emissions_t_co2e,
    contract_value_eur,
    contract_count,
    awarded_tender_count,
    awarded_tenders_with_criteria_count,
    awarded_tenders_milieu_count,
    awarded_tenders_klimaat_count,
    awarded_tenders_circulair_count,
    awarded_tenders_isv_count,
    awarded_tenders_diversiteit_inclusie_count,
    awarded_tenders_social_return_count,
    awarded_tenders_with_criteria_pct,
    awarded_tenders_milieu_pct,
    awarded_tenders_klimaat_pct,
    awarded_tenders_circulair_pct,
    awarded_tenders_isv_pct,
    awarded_tenders_diversiteit_inclusie_pct,
    awarded_tenders_social_return_pct,
    uncovered_isv_risk_spend_eur,
    above_threshold_isv_risk_contract_count,
    uncovered_isv_risk_contract_count,
    supplier_count
from final
