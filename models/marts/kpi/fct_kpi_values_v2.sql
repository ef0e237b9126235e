{#- The tender KPIs that the notices can measure: the KPIs of kpi_formulas() whose records are
    the awarded tenders, except GEN-03 (significant or ambitious criteria), which needs an
    ambition level that eForms does not have (it would be 0 % by construction, not a
    measurement; docs/notices.md, "In the warehouse"). -#}
{%- set notice_kpis = kpi_formulas()
    | selectattr('records', 'equalto', 'awarded_tenders')
    | rejectattr('code', 'equalto', 'GEN-03')
    | list -%}
-- grain: one row per (kpi_code, scope_level, scope_id, year, source)
-- Version 2 of the public KPI table: every row and column of version 1 (read from it, never
-- recomputed) as source `self_reported`; the tender KPIs computed from the public notices
-- alone (fct_notice_tenders, same formula and roll-up macros) as source `public_notices`; and
-- per row how many organisations of the scope have records for the KPI, year and source and
-- how many are expected to report for that year (seed expected_organisations).
with

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

notice_tenders as (
    select * from {{ ref('fct_notice_tenders') }}
),

organisations as (
    select * from {{ ref('dim_organisations') }}
),

notice_organisations as (
    select * from {{ ref('stg_notices__organisations') }}
),

expected_organisations as (
    select * from {{ ref('expected_organisations') }}
),

kpi_register as (
    select * from {{ ref('kpi_register') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

-- the notice-based view: the records are the awarded published lots
awarded_tenders as (
    select * from notice_tenders
    where is_awarded
),

notice_org_year as (
    {{ kpi_org_year_measures(notice_kpis) | indent(4) }}
),

notice_scopes as (
    {{ kpi_rollup('notice_org_year') | indent(4) }}
),

-- target, value and meets_target as in version 1 (fct_kpi_values.sql)
notice_values as (
    {{ kpi_scope_values('notice_scopes') | indent(4) }}
),

all_values as (
    select
        kpi_code,
        theme,
        scope_level,
        scope_id,
        year, -- noqa: RF04
        numerator,
        denominator,
        value, -- noqa: RF04
        unit,
        record_count,
        target_value,
        meets_target,
        'self_reported' as source -- noqa: RF04
    from kpi_values

    union all

    -- the same columns, in the same order (kpi_scope_values gives version 1's)
    select
        *,
        'public_notices' as source -- noqa: RF04
    from notice_values
),

-- the organisations behind each count, at organisation grain: those with at least one record
-- of a KPI in a year and source (their layer from dim_organisations for self-reported rows,
-- from the notice buyers for notice rows), and those expected in a year (any source)
organisation_counts as (
    select
        'reporting' as measure,
        all_values.source,
        all_values.kpi_code,
        all_values.year,
        all_values.scope_id as organisation_id,
        case all_values.source
            when 'self_reported' then organisations.government_layer
            else notice_organisations.government_layer
        end as government_layer
    from all_values
    left join organisations
        on all_values.scope_id = organisations.organisation_id
    left join notice_organisations
        on all_values.scope_id = notice_organisations.organisation_id
    where all_values.scope_level = 'organisation' and all_values.record_count > 0

    union all

    select
        'expected' as measure,
        cast(null as varchar) as source, -- noqa: RF04
        cast(null as varchar) as kpi_code,
        cast(unnest(range(first_year, last_year + 1)) as integer) as year, -- noqa: RF04
        organisation_id,
        government_layer
    from expected_organisations
),

-- each organisation counts for itself, its government layer and the nation (as in kpi_rollup)
scope_levels as (
    select unnest(['organisation', 'government_layer', 'national']) as scope_level
),

scoped as (
    select
        organisation_counts.measure,
        organisation_counts.source,
        organisation_counts.kpi_code,
        scope_levels.scope_level,
        case scope_levels.scope_level
            when 'organisation' then organisation_counts.organisation_id
            when 'government_layer' then organisation_counts.government_layer
            else 'NL'
        end as scope_id,
        organisation_counts.year,
        organisation_counts.organisation_id
    from organisation_counts
    cross join scope_levels
),

scope_counts as (
    select
        measure,
        source, -- noqa: RF04
        kpi_code,
        scope_level,
        scope_id,
        year, -- noqa: RF04
        count(distinct organisation_id) as organisations
    from scoped
    group by measure, source, kpi_code, scope_level, scope_id, year
),

final as (
    select
        all_values.kpi_code,
        all_values.theme,
        all_values.scope_level,
        all_values.scope_id,
        all_values.year,
        all_values.numerator,
        all_values.denominator,
        all_values.value,
        all_values.unit,
        all_values.record_count,
        all_values.target_value,
        all_values.meets_target,
        cast(coalesce(reporting.organisations, 0) as bigint) as organisations_reporting,
        cast(coalesce(expected.organisations, 0) as bigint) as organisations_expected,
        cast(all_values.source as varchar) as source -- noqa: RF04
    from all_values
    left join scope_counts as reporting
        on
            reporting.measure = 'reporting'
            and all_values.source = reporting.source
            and all_values.kpi_code = reporting.kpi_code
            and all_values.scope_level = reporting.scope_level
            and all_values.scope_id = reporting.scope_id
            and all_values.year = reporting.year
    left join scope_counts as expected
        on
            expected.measure = 'expected'
            and all_values.scope_level = expected.scope_level
            and all_values.scope_id = expected.scope_id
            and all_values.year = expected.year
)

select * from final
