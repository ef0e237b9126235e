{#- The 24 MVOI KPIs of the register (docs/kpi_register.md) per scope and year.
    Each KPI is one entry of `kpis` below: the fact holding its records, the year of a record,
    the per-record numerator and denominator contributions and the filter of its
    (denominator) domain. kpi_org_year_measure turns each into organisation x year rows;
    kpi_rollup adds government_layer and national rows from summed numerators, denominators
    and record counts; kpi_value and kpi_meets_target finish the row. -#}
{%- set kpis = [
    {'code': 'GEN-01', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('has_criteria'), 'denominator': '1'},
    {'code': 'GEN-02', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_sum_where('tender_value_eur', 'has_criteria'), 'denominator': 'tender_value_eur',
        'domain': 'tender_value_eur is not null'},
    {'code': 'GEN-03', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('is_significant_or_ambitious'), 'denominator': '1',
        'domain': 'has_criteria'},
    {'code': 'GEN-04', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'has_contract'), 'denominator': 'amount'},
    {'code': 'GEN-05', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'is_sme_supplier'), 'denominator': 'amount'},
    {'code': 'KLI-01', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('has_theme_klimaat'), 'denominator': '1'},
    {'code': 'KLI-02', 'records': 'spend', 'year': 'invoice_year',
        'numerator': 'kg_co2e / 1000', 'denominator': none},
    {'code': 'KLI-03', 'records': 'spend', 'year': 'invoice_year',
        'numerator': 'kg_co2e', 'denominator': 'amount'},
    {'code': 'KLI-04', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'has_qualifying_co2_ladder'), 'denominator': 'amount'},
    {'code': 'CIR-01', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('has_theme_circulair'), 'denominator': '1'},
    {'code': 'CIR-02', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_sum_where('tender_value_eur', 'has_theme_circulair'), 'denominator': 'tender_value_eur',
        'domain': 'tender_value_eur is not null'},
    {'code': 'CIR-03', 'records': 'material_reports', 'year': 'period_year',
        'numerator': 'secondary_material_kg', 'denominator': 'material_total_kg'},
    {'code': 'MIL-01', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('has_theme_milieu'), 'denominator': '1'},
    {'code': 'MIL-02', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'has_iso_14001_or_emas'), 'denominator': 'amount'},
    {'code': 'ISV-01', 'records': 'contracts', 'year': 'start_year',
        'numerator': kpi_count_where('is_isv_covered'), 'denominator': '1',
        'domain': 'is_above_threshold_isv_risk'},
    {'code': 'ISV-02', 'records': 'contracts', 'year': 'start_year',
        'numerator': kpi_sum_where('contract_value_eur', 'is_isv_covered'), 'denominator': 'contract_value_eur',
        'domain': 'is_above_threshold_isv_risk'},
    {'code': 'ISV-03', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'is_uncovered_isv_risk'), 'denominator': none},
    {'code': 'SRO-01', 'records': 'contracts', 'year': 'start_year',
        'numerator': kpi_count_where('has_sroi_obligation'), 'denominator': '1',
        'domain': 'is_sroi_eligible'},
    {'code': 'SRO-02', 'records': 'contracts', 'year': 'start_year',
        'numerator': 'sroi_obligation_eur', 'denominator': 'contract_value_eur',
        'domain': 'has_sroi_obligation'},
    {'code': 'SRO-03', 'records': 'contracts', 'year': 'end_year',
        'numerator': 'sroi_realised_value_eur', 'denominator': 'sroi_obligation_eur',
        'domain': 'has_sroi_obligation'},
    {'code': 'SRO-04', 'records': 'realisations', 'year': 'period_year',
        'numerator': 'placements_fte', 'denominator': none,
        'domain': 'reports_placements'},
    {'code': 'DI-01', 'records': 'awarded_tenders', 'year': 'award_year',
        'numerator': kpi_count_where('has_theme_diversiteit_inclusie'), 'denominator': '1'},
    {'code': 'DI-02', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'has_pso_level_1_plus'), 'denominator': 'amount'},
    {'code': 'DI-03', 'records': 'spend', 'year': 'invoice_year',
        'numerator': kpi_sum_where('amount', 'is_social_enterprise_or_reserved'), 'denominator': 'amount'},
] -%}
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
