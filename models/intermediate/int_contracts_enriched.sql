-- grain: one row per loaded contract
-- Authority class, the EU threshold of the period containing start_date, above-threshold,
-- product group and ISV risk of the contract's CPV, SROI eligibility and obligation, and the
-- total social return realised on the contract (all its loaded realisations, any period).
with

contracts as (
    select * from {{ ref('stg_landing__contracts') }}
),

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

cpv_product_groups as (
    select * from {{ ref('int_cpv_product_groups') }}
),

thresholds as (
    select
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(contract_type as varchar) as contract_type,
        cast(authority_class as varchar) as authority_class,
        cast(threshold_eur as decimal(18, 2)) as threshold_eur
    from {{ ref('eu_thresholds') }}
),

realisations as (
    select * from {{ ref('stg_landing__social_return_realisations') }}
),

realised_per_contract as (
    select
        contract_id,
        sum(realised_value_eur) as sroi_realised_value_eur,
        count(*) as sroi_realisation_count
    from realisations
    group by contract_id
),

with_class as (
    select
        contracts.*,
        organisations.government_layer,
        {{ authority_class('organisations.government_layer') }} as authority_class
    from contracts
    inner join organisations
        on contracts.organisation_id = organisations.organisation_id
),

-- the EU threshold in force on start_date (macro with_eu_threshold, shared with notice_reconciliation)
with_threshold as (
    {{ with_eu_threshold(
        'with_class',
        value='with_class.contract_value_eur',
        date='with_class.start_date',
    ) | indent(4) }}
),

final as (
    select
        with_threshold.contract_id,
        with_threshold.tender_id,
        with_threshold.organisation_id,
        with_threshold.government_layer,
        with_threshold.authority_class,
        with_threshold.supplier_id,
        with_threshold.cpv_code,
        with_threshold.delivery_id,
        coalesce(cpv_product_groups.product_group_id, 'unclassified') as product_group_id,
        cpv_product_groups.sector_id,
        cpv_product_groups.isv_risk_category,
        with_threshold.contract_type,
        with_threshold.start_date,
        {{ year_of('with_threshold.start_date') }} as start_year,
        with_threshold.end_date,
        {{ year_of('with_threshold.end_date') }} as end_year,
        with_threshold.contract_value_eur,
        with_threshold.is_framework,
        with_threshold.isv_clause,
        with_threshold.sroi_obligation_eur,
        with_threshold.is_reserved,
        with_threshold.eu_threshold_eur,
        with_threshold.is_above_threshold,
        coalesce(cpv_product_groups.is_isv_risk, false) as is_isv_risk,
        with_threshold.is_above_threshold
        and coalesce(cpv_product_groups.is_isv_risk, false) as is_above_threshold_isv_risk,
        coalesce(with_threshold.isv_clause, false) as is_isv_covered,
        {{ is_sroi_eligible(
            'with_threshold.contract_type',
            'with_threshold.contract_value_eur',
            'with_threshold.start_date',
            'with_threshold.end_date'
        ) }} as is_sroi_eligible,
        {{ has_sroi_obligation('with_threshold.sroi_obligation_eur') }} as has_sroi_obligation,
        coalesce(realised_per_contract.sroi_realised_value_eur, 0) as sroi_realised_value_eur,
        coalesce(realised_per_contract.sroi_realisation_count, 0) as sroi_realisation_count
    from with_threshold
    left join cpv_product_groups
        on with_threshold.cpv_code = cpv_product_groups.cpv_code
    left join realised_per_contract
        on with_threshold.contract_id = realised_per_contract.contract_id
)

select * from final
