{#- The per-theme wide marts agree exactly with fct_kpi_values: every mart is unpivoted back
    to (kpi_code, scope_level, scope_id, year) rows and compared with fct_kpi_values in both
    directions. Fails with one row per difference: a KPI row missing from a mart, a mart row
    that fct_kpi_values does not have, a mart row without any KPI, or any measure that
    differs (null-safe comparison, no tolerance: the marts copy the values). -#}
{%- set theme_kpis = [] -%}
{%- for theme, codes in kpi_codes_by_theme().items() -%}
    {%- for code in codes -%}
        {%- do theme_kpis.append({'theme': theme, 'code': code, 'prefix': kpi_column_prefix(code)}) -%}
    {%- endfor -%}
{%- endfor %}
-- grain of a failure: one row per (kpi_code, scope_level, scope_id, year) that differs
with

kpi_values as (
    select
        kpi_code,
        theme,
        scope_level,
        scope_id,
        year,
        value,
        numerator,
        denominator,
        record_count,
        target_value,
        meets_target
    from {{ ref('fct_kpi_values', v=1) }}
),

-- a KPI slot of a mart row is present when any of its columns is filled (record_count is
-- never null in fct_kpi_values, so a slot with only other columns filled is a difference)
unpivoted as (
    {%- for kpi in theme_kpis %}
        select
            '{{ kpi.code }}' as kpi_code,
            '{{ kpi.theme }}' as theme,
            scope_level,
            scope_id,
            year,
            {{ kpi.prefix }}_value as value,  -- noqa: RF04
            {{ kpi.prefix }}_numerator as numerator,
            {{ kpi.prefix }}_denominator as denominator,
            {{ kpi.prefix }}_record_count as record_count,
            {{ kpi.prefix }}_target_value as target_value,
            {{ kpi.prefix }}_meets_target as meets_target
        from {{ ref('mart_kpi_' ~ kpi.theme) }}
        where
            {{ kpi.prefix }}_record_count is not null
            or {{ kpi.prefix }}_numerator is not null
            or {{ kpi.prefix }}_value is not null
            or {{ kpi.prefix }}_meets_target is not null
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
),

compared as (
    select
        coalesce(kpi_values.kpi_code, unpivoted.kpi_code) as kpi_code,
        coalesce(kpi_values.scope_level, unpivoted.scope_level) as scope_level,
        coalesce(kpi_values.scope_id, unpivoted.scope_id) as scope_id,
        coalesce(kpi_values.year, unpivoted.year) as year,  -- noqa: RF04
        case
            when unpivoted.kpi_code is null then 'missing from the theme mart'
            when kpi_values.kpi_code is null then 'not in fct_kpi_values'
            {%- for column in ['theme'] + kpi_pivot_measures() %}
                when {{ values_differ('kpi_values.' ~ column, 'unpivoted.' ~ column) }} then '{{ column }} differs'
            {%- endfor %}
        end as difference
    from kpi_values
    full outer join unpivoted
        on
            kpi_values.kpi_code = unpivoted.kpi_code
            and kpi_values.scope_level = unpivoted.scope_level
            and kpi_values.scope_id = unpivoted.scope_id
            and kpi_values.year = unpivoted.year
),

empty_mart_rows as (
    {%- for theme, codes in kpi_codes_by_theme().items() %}
        select
            cast(null as varchar) as kpi_code,
            scope_level,
            scope_id,
            year,
            'row of mart_kpi_{{ theme }} without any KPI' as difference
        from {{ ref('mart_kpi_' ~ theme) }}
        where
            {%- for code in codes %}
                {{ "and " if not loop.first }}{{ kpi_column_prefix(code) }}_record_count is null
            {%- endfor %}
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
),

differences as (
    select
        kpi_code,
        scope_level,
        scope_id,
        year,
        difference
    from compared
    where difference is not null

    union all

    select
        kpi_code,
        scope_level,
        scope_id,
        year,
        difference
    from empty_mart_rows
)

select
    kpi_code,
    scope_level,
    scope_id,
    year,
    difference
from differences
