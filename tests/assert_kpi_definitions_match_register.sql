-- The KPI codes written at compile time - the formulas (kpi_formulas) and the themes of the
-- wide marts (kpi_codes_by_theme) - are exactly the register's codes, with its themes.
-- Fails with one row per code that is missing somewhere or sits under another theme.
{%- set formula_rows = [] %}
{%- for formula in kpi_formulas() %}
    {%- do formula_rows.append("('" ~ formula.code ~ "')") %}
{%- endfor %}
{%- set theme_rows = [] %}
{%- for theme, codes in kpi_codes_by_theme().items() %}
    {%- for code in codes %}
        {%- do theme_rows.append("('" ~ code ~ "', '" ~ theme ~ "')") %}
    {%- endfor %}
{%- endfor %}
with

kpi_register as (
    select
        kpi_code,
        theme
    from {{ ref('kpi_register') }}
),

formulas as (
    select formula.kpi_code from (values {{ formula_rows | join(', ') }}) as formula (kpi_code)
),

mart_themes as (
    select
        mart_theme.kpi_code,
        mart_theme.theme
    from (values {{ theme_rows | join(', ') }}) as mart_theme (kpi_code, theme)
),

final as (
    select
        kpi_register.kpi_code,
        kpi_register.theme as register_theme,
        formulas.kpi_code is not null as has_formula,
        mart_themes.theme as mart_theme
    from kpi_register
    full outer join formulas
        on kpi_register.kpi_code = formulas.kpi_code
    full outer join mart_themes
        on coalesce(kpi_register.kpi_code, formulas.kpi_code) = mart_themes.kpi_code
    where
        kpi_register.kpi_code is null
        or formulas.kpi_code is null
        or mart_themes.theme is distinct from kpi_register.theme
)

select * from final
