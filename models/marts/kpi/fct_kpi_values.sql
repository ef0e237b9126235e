{#- The 24 MVOI KPIs of the register (docs/kpi_register.md) per scope and year.
    Each KPI is one entry of kpi_formulas() (macros/kpi/kpi_formulas.sql): the fact holding
    its records, the year of a record, the per-record numerator and denominator contributions
    and the filter of its (denominator) domain. kpi_org_year_measure turns each into organisation x year rows;
    kpi_rollup adds government_layer and national rows from summed numerators, denominators
    and record counts; kpi_value and kpi_meets_target finish the row. -#}
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

with_target as (
    select
        kpi_scopes.*,
        cast(coalesce(layer_target.target_value, any_scope_target.target_value) as double)
            as target_value
    from kpi_scopes
    left join kpi_targets as layer_target
        on
            kpi_scopes.kpi_code = layer_target.kpi_code
            and kpi_scopes.scope_level in ('organisation', 'government_layer')
            and kpi_scopes.government_layer = layer_target.government_layer
    left join kpi_targets as any_scope_target
        on
            kpi_scopes.kpi_code = any_scope_target.kpi_code
            and any_scope_target.government_layer = '*'
),

with_value as (
    select
        with_target.*,
        kpi_register.theme,
        kpi_register.unit,
        kpi_register.better,
        {{ kpi_value('with_target.numerator', 'with_target.denominator', 'kpi_register.unit') }} as value -- noqa: RF04
    from with_target
    left join kpi_register
        on with_target.kpi_code = kpi_register.kpi_code
),

final as (
    select
        cast(kpi_code as varchar) as kpi_code,
        cast(theme as varchar) as theme,
        cast(scope_level as varchar) as scope_level,
        cast(scope_id as varchar) as scope_id,
        cast(year as integer) as year, -- noqa: RF04
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value, -- noqa: RF04
        cast(unit as varchar) as unit,
        cast(record_count as bigint) as record_count,
        target_value,
        {{ kpi_meets_target('value', 'target_value', 'better') }} as meets_target
    from with_value
)

select * from final
