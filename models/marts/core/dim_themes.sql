-- grain: one row per theme of the KPI register: the six MVOI themes plus `algemeen`
-- (the cross-cutting GEN KPIs, which is not an MVOI theme and no criterion can have)
with

mvoi_themes as (
    select
        cast(theme as varchar) as theme,
        cast(name_nl as varchar) as name_nl,
        cast(name_en as varchar) as name_en,
        cast(description as varchar) as description
    from {{ ref('mvoi_themes') }}
),

kpi_register as (
    select
        cast(kpi_code as varchar) as kpi_code,
        cast(theme as varchar) as theme
    from {{ ref('kpi_register') }}
),

algemeen as (
    select
        'algemeen' as theme,
        'Algemeen' as name_nl,
        'General' as name_en,
        'Cross-cutting KPIs of the register (GEN): how often and for how much value MVI criteria are applied, '
        || 'at which ambition level, and which share of spend is under contract or at SME suppliers.'
            as description
),

all_themes as (
    select
        theme,
        name_nl,
        name_en,
        description,
        true as is_mvoi_theme
    from mvoi_themes

    union all

    select
        theme,
        name_nl,
        name_en,
        description,
        false as is_mvoi_theme
    from algemeen
),

kpis_per_theme as (
    select
        theme,
        count(*) as kpi_count,
        {{ dbt.listagg('kpi_code', "', '", 'order by kpi_code') }} as kpi_codes
    from kpi_register
    group by theme
),

final as (
    select
        all_themes.theme,
        all_themes.name_nl,
        all_themes.name_en,
        all_themes.description,
        all_themes.is_mvoi_theme,
        cast(coalesce(kpis_per_theme.kpi_count, 0) as bigint) as kpi_count,
        kpis_per_theme.kpi_codes,
        'mart_kpi_' || all_themes.theme as theme_mart_name
    from all_themes
    left join kpis_per_theme
        on all_themes.theme = kpis_per_theme.theme
)

select
    theme,
    name_nl,
    name_en,
    description,
    is_mvoi_theme,
    kpi_count,
    kpi_codes,
    theme_mart_name
from final
