{#- Auditor query: above-threshold ISV-risk contracts without a true ISV clause - the contracts
    that lower ISV-01/ISV-02 and whose spend makes up ISV-03 (uncovered ISV-risk spend).
    Parameters (dbt vars): start_year (default none = every year), government_layer (default
    none = every layer).
    Run: dbt compile -s isv_risk_contracts_without_clause [--vars '{start_year: 2024}'], then run
    target/compiled/mvoi/analyses/isv_risk_contracts_without_clause.sql against the build or the
    published database. -#}
{%- set start_year = var('start_year', none) -%}
{%- set government_layer = var('government_layer', none) -%}
{%- set start_year_sql = 'null' if start_year is none else start_year | int -%}
{%- set government_layer_sql = 'null' if government_layer is none else "'" ~ government_layer ~ "'" -%}
-- grain: one row per above-threshold ISV-risk contract whose isv_clause is not true
with

contracts as (
    select * from {{ ref('fct_contracts') }}
),

spend as (
    select * from {{ ref('fct_spend') }}
),

organisations as (
    select * from {{ ref('dim_organisations') }}
),

suppliers as (
    select * from {{ ref('dim_suppliers') }}
),

product_groups as (
    select * from {{ ref('dim_product_groups') }}
),

uncovered_contracts as (
    select
        contract_id,
        organisation_id,
        government_layer,
        supplier_id,
        cpv_code,
        product_group_id,
        isv_risk_category,
        contract_type,
        start_date,
        start_year,
        end_date,
        contract_value_eur,
        eu_threshold_eur,
        isv_clause
    from contracts
    where
        is_above_threshold_isv_risk
        and not is_isv_covered
        and start_year = coalesce({{ start_year_sql }}, start_year)
        and government_layer = coalesce({{ government_layer_sql }}, government_layer)
),

contract_spend as (
    select
        contract_id,
        sum(amount) as spend_eur,
        count(*) as invoice_line_count,
        min(invoice_date) as first_invoice_date,
        max(invoice_date) as last_invoice_date
    from spend
    where contract_id is not null
    group by contract_id
),

final as (
    select
        uncovered_contracts.contract_id,
        uncovered_contracts.organisation_id,
        organisations.name as organisation_name,
        uncovered_contracts.government_layer,
        uncovered_contracts.supplier_id,
        suppliers.name as supplier_name,
        suppliers.size_class as supplier_size_class,
        uncovered_contracts.cpv_code,
        uncovered_contracts.product_group_id,
        product_groups.name_en as product_group_name,
        uncovered_contracts.isv_risk_category,
        uncovered_contracts.contract_type,
        uncovered_contracts.start_date,
        uncovered_contracts.start_year,
        uncovered_contracts.end_date,
        uncovered_contracts.contract_value_eur,
        uncovered_contracts.eu_threshold_eur,
        case
            when uncovered_contracts.isv_clause is null then 'unknown'
            else 'false'
        end as isv_clause_status,
        coalesce(contract_spend.spend_eur, 0) as spend_eur,
        coalesce(contract_spend.invoice_line_count, 0) as invoice_line_count,
        contract_spend.first_invoice_date,
        contract_spend.last_invoice_date
    from uncovered_contracts
    left join organisations
        on uncovered_contracts.organisation_id = organisations.organisation_id
    left join suppliers
        on uncovered_contracts.supplier_id = suppliers.supplier_id
    left join product_groups
        on uncovered_contracts.product_group_id = product_groups.product_group_id
    left join contract_spend
        on uncovered_contracts.contract_id = contract_spend.contract_id
)

select
    contract_id,
    organisation_id,
    organisation_name,
    government_layer,
    supplier_id,
    supplier_name,
    supplier_size_class,
    cpv_code,
    product_group_id,
    product_group_name,
    isv_risk_category,
    contract_type,
    start_date,
    start_year,
    end_date,
    contract_value_eur,
    eu_threshold_eur,
    isv_clause_status,
    spend_eur,
    invoice_line_count,
    first_invoice_date,
    last_invoice_date
from final
order by spend_eur desc, contract_value_eur desc, contract_id asc
