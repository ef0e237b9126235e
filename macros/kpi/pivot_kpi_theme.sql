{#- The per-theme wide KPI marts (mart_kpi_<theme>): fct_kpi_values pivoted to one row per
    (scope_level, scope_id, year) with six columns per KPI of the theme. Written once; each
    mart is one call, and tests/assert_theme_marts_match_kpi_values.sql unpivots them back. -#}

{% macro kpi_codes_by_theme() -%}
    {#- The KPI codes of every register theme, in register order (seeds/reference/kpi_register.csv).
        A static copy because the wide marts' columns are a compile-time contract; the singular
        tests assert_kpi_definitions_match_register (against the register) and
        assert_theme_marts_match_kpi_values (against fct_kpi_values) fail when they disagree. -#}
    {{ return({
        'algemeen': ['GEN-01', 'GEN-02', 'GEN-03', 'GEN-04', 'GEN-05'],
        'klimaat': ['KLI-01', 'KLI-02', 'KLI-03', 'KLI-04'],
        'circulair': ['CIR-01', 'CIR-02', 'CIR-03'],
        'milieu': ['MIL-01', 'MIL-02'],
        'isv': ['ISV-01', 'ISV-02', 'ISV-03'],
        'social_return': ['SRO-01', 'SRO-02', 'SRO-03', 'SRO-04'],
        'diversiteit_inclusie': ['DI-01', 'DI-02', 'DI-03'],
    }) }}
{%- endmacro %}


{% macro kpi_column_prefix(kpi_code) -%}
    {#- The column prefix of a KPI in the wide marts: the code in lower case with an underscore,
        e.g. `KLI-01` -> `kli_01` (columns kli_01_value, kli_01_numerator, ...). -#}
    {{ return(kpi_code | lower | replace('-', '_')) }}
{%- endmacro %}


{% macro kpi_pivot_measures() -%}
    {#- The fct_kpi_values columns that become one wide column per KPI (<prefix>_<measure>). -#}
    {{ return(['value', 'numerator', 'denominator', 'record_count', 'target_value', 'meets_target']) }}
{%- endmacro %}


{% macro pivot_kpi_theme(theme) -%}
    {#- The body of a mart_kpi_<theme> model. Rows: every (scope_level, scope_id, year) in which
        fct_kpi_values has a row for at least one KPI of the theme. Columns: the grain, then per
        KPI <prefix>_value, _numerator, _denominator, _record_count, _target_value,
        _meets_target, copied unchanged from fct_kpi_values (null when that KPI has no row in
        the scope and year). One left join per KPI keeps every type as it is in fct_kpi_values
        and runs on any SQL engine (no engine-specific pivot). -#}
    {%- set codes = kpi_codes_by_theme().get(theme) -%}
    {%- if codes is none -%}
        {{ exceptions.raise_compiler_error("pivot_kpi_theme: unknown theme '" ~ theme ~ "'") }}
    {%- endif %}
-- grain: one row per (scope_level, scope_id, year) with a KPI of theme {{ theme }}
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
    where theme = '{{ theme }}'
),

scope_years as (
    select distinct
        scope_level,
        scope_id,
        year
    from kpi_values
),

final as (
    select
        scope_years.scope_level,
        scope_years.scope_id,
        scope_years.year,
        {%- for code in codes %}
        {%- set outer_last = loop.last %}
        {%- set prefix = kpi_column_prefix(code) %}
        {%- for measure in kpi_pivot_measures() %}
        {{ prefix }}.{{ measure }} as {{ prefix }}_{{ measure }}{{ "," if not (outer_last and loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from scope_years
    {%- for code in codes %}
    {%- set prefix = kpi_column_prefix(code) %}
    left join kpi_values as {{ prefix }}
        on scope_years.scope_level = {{ prefix }}.scope_level
        and scope_years.scope_id = {{ prefix }}.scope_id
        and scope_years.year = {{ prefix }}.year
        and {{ prefix }}.kpi_code = '{{ code }}'
    {%- endfor %}
)

select
    scope_level,
    scope_id,
    year,
    {%- for code in codes %}
    {%- set outer_last = loop.last %}
    {%- set prefix = kpi_column_prefix(code) %}
    {%- for measure in kpi_pivot_measures() %}
    {{ prefix }}_{{ measure }}{{ "," if not (outer_last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
from final
{%- endmacro %}
