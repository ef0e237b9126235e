-- Every organisation-level row of fct_kpi_values rolls up to its government_layer row and
-- to the national row, and the layer rows to the national row: numerators, denominators
-- and record counts are sums (never averages), and no roll-up row lacks its parts or the
-- other way round. Fails with one row per mismatching (kpi_code, scope, year).
with

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

organisations as (
    select * from {{ ref('stg_landing__organisations') }}
),

organisation_rows as (
    select
        kpi_values.kpi_code,
        kpi_values.year,
        organisations.government_layer,
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.record_count
    from kpi_values
    left join organisations
        on kpi_values.scope_id = organisations.organisation_id
    where kpi_values.scope_level = 'organisation'
),

summed_to_layer as (
    select
        'government_layer' as scope_level,
        government_layer as scope_id,
        kpi_code,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(record_count) as record_count
    from organisation_rows
    group by government_layer, kpi_code, year
),

summed_to_nation as (
    select
        'national' as scope_level,
        'NL' as scope_id,
        kpi_code,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(record_count) as record_count
    from organisation_rows
    group by kpi_code, year
),

layers_summed_to_nation as (
    select
        'national' as scope_level,
        'NL' as scope_id,
        kpi_code,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(record_count) as record_count
    from kpi_values
    where scope_level = 'government_layer'
    group by kpi_code, year
),

expected as (
    select
        'organisations -> layer' as check_name,
        *
    from summed_to_layer
    union all
    select
        'organisations -> national' as check_name,
        *
    from summed_to_nation
    union all
    select
        'layers -> national' as check_name,
        *
    from layers_summed_to_nation
),

published as (
    select
        scope_level,
        scope_id,
        kpi_code,
        year,
        numerator,
        denominator,
        record_count
    from kpi_values
    where scope_level in ('government_layer', 'national')
),

checks as (
    select distinct
        check_name,
        scope_level
    from expected
),

compared as (
    select
        coalesce(expected.check_name, checks.check_name) as check_name,
        coalesce(expected.scope_level, published.scope_level) as scope_level,
        coalesce(expected.scope_id, published.scope_id) as scope_id,
        coalesce(expected.kpi_code, published.kpi_code) as kpi_code,
        coalesce(expected.year, published.year) as kpi_year,
        expected.numerator as summed_numerator,
        published.numerator as published_numerator,
        expected.denominator as summed_denominator,
        published.denominator as published_denominator,
        expected.record_count as summed_record_count,
        published.record_count as published_record_count
    from published
    inner join checks
        on published.scope_level = checks.scope_level
    full outer join expected
        on
            checks.check_name = expected.check_name
            and published.scope_level = expected.scope_level
            and published.scope_id = expected.scope_id
            and published.kpi_code = expected.kpi_code
            and published.year = expected.year
),

final as (
    select * from compared
    where
        summed_record_count is null
        or published_record_count is null
        or summed_record_count != published_record_count
        or {{ floats_differ('summed_numerator', 'published_numerator') }}
        or (summed_denominator is null) != (published_denominator is null)
        or {{ floats_differ('summed_denominator', 'published_denominator') }}
)

select * from final
