-- grain: one row per (kpi_code, scope_level, scope_id, year)
-- Version 2 of the public KPI table: every row and column of version 1 (read from it, never
-- recomputed), plus how many organisations of the scope have records for the KPI and year and
-- how many are expected to report for that year (seed expected_organisations).
with

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

organisations as (
    select * from {{ ref('dim_organisations') }}
),

expected_organisations as (
    select * from {{ ref('expected_organisations') }}
),

-- the organisations behind each count, at organisation grain: those with at least one record
-- of a KPI in a year (their layer from dim_organisations), and those expected in a year
organisation_counts as (
    select
        'reporting' as measure,
        kpi_values.kpi_code,
        kpi_values.year,
        kpi_values.scope_id as organisation_id,
        organisations.government_layer
    from kpi_values
    left join organisations
        on kpi_values.scope_id = organisations.organisation_id
    where kpi_values.scope_level = 'organisation' and kpi_values.record_count > 0

    union all

    select
        'expected' as measure,
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
        kpi_code,
        scope_level,
        scope_id,
        year, -- noqa: RF04
        count(distinct organisation_id) as organisations
    from scoped
    group by measure, kpi_code, scope_level, scope_id, year
),

final as (
    select
        kpi_values.kpi_code,
        kpi_values.theme,
        kpi_values.scope_level,
        kpi_values.scope_id,
        kpi_values.year,
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.value,
        kpi_values.unit,
        kpi_values.record_count,
        kpi_values.target_value,
        kpi_values.meets_target,
        cast(coalesce(reporting.organisations, 0) as bigint) as organisations_reporting,
        cast(coalesce(expected.organisations, 0) as bigint) as organisations_expected
    from kpi_values
    left join scope_counts as reporting
        on
            reporting.measure = 'reporting'
            and kpi_values.kpi_code = reporting.kpi_code
            and kpi_values.scope_level = reporting.scope_level
            and kpi_values.scope_id = reporting.scope_id
            and kpi_values.year = reporting.year
    left join scope_counts as expected
        on
            expected.measure = 'expected'
            and kpi_values.scope_level = expected.scope_level
            and kpi_values.scope_id = expected.scope_id
            and kpi_values.year = expected.year
)

select * from final
