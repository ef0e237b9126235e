{{ config(materialized='view') }}
-- grain: one row per loaded invoice line
-- Every rule the spend KPIs need, evaluated per line: effective CPV (the line's own valid
-- CPV, else its loaded contract's valid CPV, else none), product group, emission factor
-- (the CPV division's factor, else the default division '00') and kg CO2e, supplier size
-- class and social enterprise, contract coverage and reservation, the supplier's qualifying
-- certificates valid on invoice_date, and uncovered ISV-risk spend.
-- A view (see _intermediate__models.yml): fct_spend stores and tests these rows.
with

invoice_lines as (
    select * from {{ ref('stg_landing__invoice_lines') }}
),

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

suppliers as (
    select * from {{ ref('stg_landing__suppliers') }}
),

certificates as (
    select * from {{ ref('stg_landing__supplier_certificates') }}
),

contracts as (
    select * from {{ ref('int_contracts_enriched') }}
),

cpv_product_groups as (
    select * from {{ ref('int_cpv_product_groups') }}
),

emission_factors as (
    select
        lpad(cast(cpv_division as varchar), 2, '0') as cpv_division,
        cast(kg_co2e_per_eur as double) as kg_co2e_per_eur
    from {{ ref('emission_factors') }}
),

-- the certificates are evaluated once per supplier and invoice day (a few per line at most),
-- not by a correlated subquery per line, which made DuckDB materialise all lines three times
supplier_days as (
    select distinct
        supplier_id,
        invoice_date
    from invoice_lines
),

certificate_flags as (
    select
        supplier_days.supplier_id,
        supplier_days.invoice_date,
        bool_or({{ is_qualifying_co2_ladder('cert') }}) as has_qualifying_co2_ladder,
        bool_or({{ is_iso_14001_or_emas('cert') }}) as has_iso_14001_or_emas,
        bool_or({{ is_pso_level_1_plus('cert') }}) as has_pso_level_1_plus
    from supplier_days
    inner join certificates as cert
        on
            supplier_days.supplier_id = cert.supplier_id
            and {{ certificate_valid_on('cert', 'supplier_days.invoice_date') }}
    group by supplier_days.supplier_id, supplier_days.invoice_date
),

with_contract as (
    select
        invoice_lines.invoice_line_id,
        invoice_lines.delivery_id,
        invoice_lines.invoice_number,
        invoice_lines.organisation_id,
        organisations.government_layer,
        invoice_lines.supplier_id,
        contracts.contract_id,
        invoice_lines.invoice_date,
        invoice_lines.amount,
        invoice_lines.currency,
        invoice_lines.cpv_code as line_cpv_code,
        contracts.cpv_code as contract_cpv_code,
        coalesce(invoice_lines.cpv_code, contracts.cpv_code) as effective_cpv_code,
        case
            when invoice_lines.cpv_code is not null then 'line'
            when contracts.cpv_code is not null then 'contract'
            else 'none'
        end as effective_cpv_source,
        contracts.contract_id is not null as has_contract,
        coalesce(contracts.is_reserved, false) as is_reserved_contract,
        coalesce(contracts.is_above_threshold_isv_risk and not contracts.is_isv_covered, false)
            as is_uncovered_isv_risk
    from invoice_lines
    inner join organisations
        on invoice_lines.organisation_id = organisations.organisation_id
    left join contracts
        on invoice_lines.contract_id = contracts.contract_id
),

with_product_group as (
    select
        with_contract.*,
        coalesce(cpv_product_groups.product_group_id, 'unclassified') as product_group_id,
        cpv_product_groups.sector_id,
        cpv_product_groups.isv_risk_category,
        {{ cpv_division('with_contract.effective_cpv_code') }} as effective_cpv_division
    from with_contract
    left join cpv_product_groups
        on with_contract.effective_cpv_code = cpv_product_groups.cpv_code
),

with_emissions as (
    select
        with_product_group.*,
        case
            when division_factor.kg_co2e_per_eur is not null then with_product_group.effective_cpv_division
            else '00'
        end as emission_factor_division,
        coalesce(division_factor.kg_co2e_per_eur, default_factor.kg_co2e_per_eur)
            as kg_co2e_per_eur
    from with_product_group
    left join emission_factors as division_factor
        on with_product_group.effective_cpv_division = division_factor.cpv_division
    left join emission_factors as default_factor
        on default_factor.cpv_division = '00'
),

final as (
    select
        with_emissions.invoice_line_id,
        with_emissions.delivery_id,
        with_emissions.invoice_number,
        with_emissions.organisation_id,
        with_emissions.government_layer,
        with_emissions.supplier_id,
        with_emissions.contract_id,
        with_emissions.invoice_date,
        {{ year_of('with_emissions.invoice_date') }} as invoice_year,
        with_emissions.amount,
        with_emissions.currency,
        with_emissions.amount < 0 as is_credit_note,
        with_emissions.line_cpv_code,
        with_emissions.contract_cpv_code,
        with_emissions.effective_cpv_code,
        with_emissions.effective_cpv_source,
        with_emissions.effective_cpv_division,
        with_emissions.product_group_id,
        with_emissions.sector_id,
        with_emissions.isv_risk_category,
        with_emissions.emission_factor_division,
        with_emissions.kg_co2e_per_eur,
        cast(with_emissions.amount as double) * with_emissions.kg_co2e_per_eur as kg_co2e,
        with_emissions.has_contract,
        with_emissions.is_reserved_contract,
        with_emissions.is_uncovered_isv_risk,
        suppliers.supplier_id is not null as is_known_supplier,
        coalesce(suppliers.size_class, 'unknown') as supplier_size_class,
        {{ is_sme_size_class('suppliers.size_class') }} as is_sme_supplier,
        suppliers.is_social_enterprise,
        coalesce(suppliers.is_social_enterprise, false) or with_emissions.is_reserved_contract
            as is_social_enterprise_or_reserved,
        coalesce(certificate_flags.has_qualifying_co2_ladder, false) as has_qualifying_co2_ladder,
        coalesce(certificate_flags.has_iso_14001_or_emas, false) as has_iso_14001_or_emas,
        coalesce(certificate_flags.has_pso_level_1_plus, false) as has_pso_level_1_plus
    from with_emissions
    left join suppliers
        on with_emissions.supplier_id = suppliers.supplier_id
    left join certificate_flags
        on
            with_emissions.supplier_id = certificate_flags.supplier_id
            and with_emissions.invoice_date = certificate_flags.invoice_date
)

select * from final
