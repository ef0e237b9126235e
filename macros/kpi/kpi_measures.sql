{#- KPI computation, written once for every KPI family:
    1. kpi_org_year_measure: numerator, denominator and record_count of one KPI at
       organisation x year grain, from the records of its domain;
    2. kpi_rollup: organisation rows plus government_layer and national rows computed from
       SUMMED numerators, denominators and record counts (never from averaged values);
    3. kpi_value: the value from numerator and denominator per the KPI's unit. -#}

{% macro kpi_org_year_measure(kpi_code, relation, year_column, numerator, denominator=none, domain=none) -%}
    {#- One KPI at organisation x year grain.
        relation   a relation or CTE with one row per record of the KPI and the columns
                   organisation_id and government_layer;
        year_column the expression giving the KPI year of a record (per the register's "year of");
        numerator  the per-record numerator contribution (0 when the record is not in it);
        denominator the per-record denominator contribution, or none for a KPI without one;
        domain     a filter selecting the records of the KPI's (denominator) domain; a
                   (organisation, year) row exists only when at least one record passes it,
                   and record_count counts them. -#}
    select
        '{{ kpi_code }}' as kpi_code,
        organisation_id,
        government_layer,
        {{ year_column }} as year,
        cast(sum({{ numerator }}) as double) as numerator,
        {%- if denominator is none %}
        cast(null as double) as denominator,
        {%- else %}
        cast(sum({{ denominator }}) as double) as denominator,
        {%- endif %}
        cast(count(*) as bigint) as record_count
    from {{ relation }}
    where {{ year_column }} is not null
        {%- if domain is not none %}
        and ({{ domain }})
        {%- endif %}
    group by organisation_id, government_layer, {{ year_column }}
{%- endmacro %}


{% macro kpi_rollup(org_year_relation) -%}
    {#- Organisation rows as they are, plus one row per (kpi, government_layer, year) and per
        (kpi, year) for the national scope NL, each summing the organisation numerators,
        denominators and record counts. The sum of denominators stays null for KPIs without
        one. government_layer is carried for target matching (null on national rows). -#}
    select
        kpi_code,
        'organisation' as scope_level,
        organisation_id as scope_id,
        government_layer,
        year,
        numerator,
        denominator,
        record_count
    from {{ org_year_relation }}

    union all

    select
        kpi_code,
        'government_layer' as scope_level,
        government_layer as scope_id,
        government_layer,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        cast(sum(record_count) as bigint) as record_count
    from {{ org_year_relation }}
    group by kpi_code, government_layer, year

    union all

    select
        kpi_code,
        'national' as scope_level,
        'NL' as scope_id,
        cast(null as varchar) as government_layer,
        year,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        cast(sum(record_count) as bigint) as record_count
    from {{ org_year_relation }}
    group by kpi_code, year
{%- endmacro %}


{% macro kpi_value(numerator, denominator, unit) -%}
    {#- The KPI value: numerator / denominator x 100 for a percentage, numerator /
        denominator for any other ratio (kg CO2e/EUR), the numerator itself for a KPI without
        a denominator (t CO2e, EUR, FTE), and null when the denominator is 0. -#}
    case
        when {{ denominator }} is null then {{ numerator }}
        when {{ denominator }} = 0 then null
        when {{ unit }} = '%' then {{ numerator }} / {{ denominator }} * 100
        else {{ numerator }} / {{ denominator }}
    end
{%- endmacro %}


{% macro kpi_meets_target(value, target_value, better) -%}
    {#- Whether a KPI value reaches its target in the register's direction: higher -> value >=
        target, lower -> value <= target; null when no target applies or the value is null. -#}
    case
        when {{ target_value }} is null or {{ value }} is null then null
        when {{ better }} = 'higher' then {{ value }} >= {{ target_value }}
        when {{ better }} = 'lower' then {{ value }} <= {{ target_value }}
    end
{%- endmacro %}


{% macro kpi_count_where(condition) -%}
    {#- Per-record numerator of a count-based KPI: 1 when the record meets the condition, else 0. -#}
    case when {{ condition }} then 1 else 0 end
{%- endmacro %}


{% macro kpi_sum_where(measure, condition) -%}
    {#- Per-record numerator of a sum-based KPI: the measure when the record meets the
        condition, else 0 (so a record outside the numerator still counts in the denominator). -#}
    case when {{ condition }} then {{ measure }} else 0 end
{%- endmacro %}


{% macro kpi_org_year_measures(kpis) -%}
    {#- The union of kpi_org_year_measure over a list of KPI declarations (dicts with code,
        records, year, numerator, denominator and optionally domain). -#}
    {%- for kpi in kpis %}
    {{ kpi_org_year_measure(
        kpi_code=kpi.code,
        relation=kpi.records,
        year_column=kpi.year,
        numerator=kpi.numerator,
        denominator=kpi.denominator,
        domain=kpi.get('domain'),
    ) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro kpi_scope_values(scopes, kpi_targets='kpi_targets', kpi_register='kpi_register') -%}
    {#- The finished KPI rows of fct_kpi_values from rolled-up scope rows (kpi_rollup): the
        target (the scope's government layer's, else the '*' one; organisation and
        government_layer scopes only take a layer target), the register's theme and unit, the
        value (kpi_value) and meets_target (kpi_meets_target), in fct_kpi_values' columns and
        types. Written once for version 1 and the public_notices rows of version 2. -#}
with

with_target as (
    select
        {{ scopes }}.*,
        cast(coalesce(layer_target.target_value, any_scope_target.target_value) as double)
            as target_value
    from {{ scopes }}
    left join {{ kpi_targets }} as layer_target
        on
            {{ scopes }}.kpi_code = layer_target.kpi_code
            and {{ scopes }}.scope_level in ('organisation', 'government_layer')
            and {{ scopes }}.government_layer = layer_target.government_layer
    left join {{ kpi_targets }} as any_scope_target
        on
            {{ scopes }}.kpi_code = any_scope_target.kpi_code
            and any_scope_target.government_layer = '*'
),

with_value as (
    select
        with_target.*,
        register_entry.theme,
        register_entry.unit,
        register_entry.better,
        {{ kpi_value('with_target.numerator', 'with_target.denominator', 'register_entry.unit') }} as value
    from with_target
    left join {{ kpi_register }} as register_entry
        on with_target.kpi_code = register_entry.kpi_code
),

final as (
    select
        cast(kpi_code as varchar) as kpi_code,
        cast(theme as varchar) as theme,
        cast(scope_level as varchar) as scope_level,
        cast(scope_id as varchar) as scope_id,
        cast(year as integer) as year,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value,
        cast(unit as varchar) as unit,
        cast(record_count as bigint) as record_count,
        target_value,
        {{ kpi_meets_target('value', 'target_value', 'better') }} as meets_target
    from with_value
)

select * from final
{%- endmacro %}
