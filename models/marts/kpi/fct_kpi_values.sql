{#- The 24 MVOI KPIs of the register (docs/kpi_register.md) per scope and year.
    Each KPI is one entry of kpi_formulas() (macros/kpi/kpi_formulas.sql): the fact holding
    its records, the year of a record, the per-record numerator and denominator contributions
    and the filter of its (denominator) domain. kpi_org_year_measure turns each into organisation x year rows;
    kpi_rollup adds government_layer and national rows from summed numerators, denominators
    and record counts; kpi_scope_values adds the target, value and meets_target. -#}
{%- set kpis = kpi_formulas() -%}
-- grain: one row per (kpi_code, scope_level, scope_id, year)
with

spend as (
    select * from {{ ref('fct_spend') }}
),

tenders as (
    select * from {{ ref('fct_tenders') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

realisations as (
    select * from {{ ref('fct_social_return_realisations') }}
),

material_reports as (
    select * from {{ ref('fct_material_reports') }}
),

kpi_register as (
    select * from {{ ref('kpi_register') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

awarded_tenders as (
    select * from tenders
    where is_awarded
),

kpi_org_year as (
    {{ kpi_org_year_measures(kpis) }}
),

kpi_scopes as (
    {{ kpi_rollup('kpi_org_year') }}
),

final as (
    {{ kpi_scope_values('kpi_scopes') | indent(4) }}
)

select * from final
