-- grain: one row per KPI of the register (24)
-- The KPI register (seeds/reference/kpi_register.csv) with its targets in a readable form
-- (seeds/reference/kpi_targets.csv): the text of the register's target column, e.g.
-- `100 (rijk)`, the target that applies to the Rijk (its own, else the one for every scope)
-- and the target that applies to every scope.
with

kpi_register as (
    select
        cast(kpi_code as varchar) as kpi_code,
        cast(theme as varchar) as theme,
        cast(name_nl as varchar) as name_nl,
        cast(name_en as varchar) as name_en,
        cast(unit as varchar) as unit,
        cast(year_basis as varchar) as year_basis,
        cast(numerator as varchar) as numerator_definition,
        cast(denominator as varchar) as denominator_definition,
        cast(better as varchar) as better,
        cast(bounds as varchar) as bounds
    from {{ ref('kpi_register') }}
),

kpi_targets as (
    select
        cast(kpi_code as varchar) as kpi_code,
        cast(government_layer as varchar) as government_layer,
        cast(target_value as double) as target_value
    from {{ ref('kpi_targets') }}
),

target_texts as (
    select
        kpi_code,
        government_layer,
        target_value,
        case
            when target_value = floor(target_value)
                then cast(cast(target_value as bigint) as varchar)
            else cast(target_value as varchar)
        end
        || case when government_layer = '*' then '' else ' (' || government_layer || ')' end
            as target_text
    from kpi_targets
),

targets_per_kpi as (
    select
        kpi_code,
        count(*) as target_count,
        {{ dbt.listagg('target_text', "'; '", 'order by target_text') }} as target_description,
        max(case when government_layer = 'rijk' then target_value end) as target_value_rijk,
        max(case when government_layer = '*' then target_value end) as target_value_all_scopes
    from target_texts
    group by kpi_code
),

final as (
    select
        kpi_register.kpi_code,
        kpi_register.theme,
        kpi_register.name_nl,
        kpi_register.name_en,
        kpi_register.unit,
        kpi_register.year_basis,
        kpi_register.numerator_definition,
        kpi_register.denominator_definition,
        kpi_register.denominator_definition is not null as has_denominator,
        kpi_register.better,
        kpi_register.bounds,
        cast(coalesce(targets_per_kpi.target_count, 0) as bigint) as target_count,
        targets_per_kpi.target_description,
        coalesce(targets_per_kpi.target_value_rijk, targets_per_kpi.target_value_all_scopes)
            as target_value_rijk,
        targets_per_kpi.target_value_all_scopes,
        lower(replace(kpi_register.kpi_code, '-', '_')) as theme_mart_column_prefix,
        'mart_kpi_' || kpi_register.theme as theme_mart_name
    from kpi_register
    left join targets_per_kpi
        on kpi_register.kpi_code = targets_per_kpi.kpi_code
)

select
    kpi_code,
    theme,
    name_nl,
    name_en,
    unit,
    year_basis,
    numerator_definition,
    denominator_definition,
    has_denominator,
    better,
    bounds,
    target_count,
    target_description,
    target_value_rijk,
    target_value_all_scopes,
    theme_mart_column_prefix,
    theme_mart_name
from final
