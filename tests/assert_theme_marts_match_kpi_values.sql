{#- The per-theme wide marts agree exactly with fct_kpi_values: every mart is unpivoted back
    to (kpi_code, scope_level, scope_id, year) rows and compared with fct_kpi_values in both
    directions. Fails with one row per difference: a KPI row missing from a mart, a mart row
    that fct_kpi_values does not have (including a whole-null KPI slot on a scope row), or any
    measure that differs (null-safe comparison, no tolerance: the marts copy the values). -#}
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
    from {{ ref('fct_kpi_values') }}
),

unpivoted as (
    {%- for theme, codes in kpi_codes_by_theme().items() %}
    {%- set outer_last = loop.last %}
    {%- for code in codes %}
    {%- set prefix = kpi_column_prefix(code) %}
    select
        '{{ code }}' as kpi_code,
        '{{ theme }}' as theme,
        scope_level,
        scope_id,
        year,
        {{ prefix }}_value as value,
        {{ prefix }}_numerator as numerator,
        {{ prefix }}_denominator as denominator,
        {{ prefix }}_record_count as record_count,
        {{ prefix }}_target_value as target_value,
        {{ prefix }}_meets_target as meets_target
    from {{ ref('mart_kpi_' ~ theme) }}
    -- a KPI slot is present when the KPI has a row: record_count is never null in fct_kpi_values
    where
        {{ prefix }}_record_count is not null
        or {{ prefix }}_numerator is not null
        or {{ prefix }}_value is not null
        or {{ prefix }}_meets_target is not null
    {%- if not (outer_last and loop.last) %}

    union all
    {% endif %}
    {%- endfor %}
    {%- endfor %}
),

compared as (
    select
        coalesce(kpi_values.kpi_code, unpivoted.kpi_code) as kpi_code,
        coalesce(kpi_values.scope_level, unpivoted.scope_level) as scope_level,
        coalesce(kpi_values.scope_id, unpivoted.scope_id) as scope_id,
        coalesce(kpi_values.year, unpivoted.year) as year,
        case
            when unpivoted.kpi_code is null then 'missing from the theme mart'
            when kpi_values.kpi_code is null then 'not in fct_kpi_values'
            when kpi_values.theme is distinct from unpivoted.theme then 'theme differs'
            when kpi_values.value is distinct from unpivoted.value then 'value differs'
            when kpi_values.numerator is distinct from unpivoted.numerator then 'numerator differs'
            when kpi_values.denominator is distinct from unpivoted.denominator then 'denominator differs'
            when kpi_values.record_count is distinct from unpivoted.record_count then 'record_count differs'
            when kpi_values.target_value is distinct from unpivoted.target_value then 'target_value differs'
            when kpi_values.meets_target is distinct from unpivoted.meets_target then 'meets_target differs'
        end as difference
    from kpi_values
    full outer join unpivoted
        on kpi_values.kpi_code = unpivoted.kpi_code
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
