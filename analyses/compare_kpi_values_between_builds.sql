{#- Auditor query: compare the KPI values of two builds, e.g. this build against the last
    publication, or two published databases kept from different deliveries.
    Parameters (dbt vars):
      other_db_path   path of the other DuckDB file         (default warehouse/mvoi_published.duckdb)
      other_db_alias  the name it is attached under          (default other_build)
      only_changes    true: only added, removed and changed rows (default true)
    Run (with the project's DuckDB, 2.0.x: a build file cannot be read by an older DuckDB):
      dbt compile -s compare_kpi_values_between_builds --vars '{other_db_path: /path/to/other.duckdb}'
      .venv/bin/python -c "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); \
          print(con.execute(open(sys.argv[2]).read()).df().to_string())" \
          warehouse/mvoi.duckdb target/compiled/mvoi/analyses/compare_kpi_values_between_builds.sql
    The compiled SQL first ATTACHes the other file READ_ONLY, then compares this database's
    marts.fct_kpi_values (the "current" build, the file the query runs in) with the other's.
    Both files must be different files (DuckDB cannot attach a file it already has open), and
    the build file must not be open read-write elsewhere (a running dbt build).
    Status per (kpi_code, scope_level, scope_id, year): added (only in the current build),
    removed (only in the other), changed (numerator, denominator, value, record_count or
    target differ beyond 1e-9 relative), unchanged. -#}
{%- set other_db_path = var('other_db_path', 'warehouse/mvoi_published.duckdb') -%}
{%- set other_db_alias = var('other_db_alias', 'other_build') -%}
{%- set only_changes = var('only_changes', true) -%}
attach if not exists '{{ other_db_path }}' as {{ other_db_alias }} (read_only); -- noqa: PRS

-- grain: one row per (kpi_code, scope_level, scope_id, year) in either build
with

current_kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

other_kpi_values as (
    select * from {{ other_db_alias }}.marts.fct_kpi_values
),

joined as (
    select
        coalesce(cur.kpi_code, oth.kpi_code) as kpi_code,
        coalesce(cur.scope_level, oth.scope_level) as scope_level,
        coalesce(cur.scope_id, oth.scope_id) as scope_id,
        coalesce(cur.year, oth.year) as year,
        coalesce(cur.unit, oth.unit) as unit,
        oth.kpi_code is null as is_added,
        cur.kpi_code is null as is_removed,
        oth.value as other_value,
        cur.value as current_value,
        oth.numerator as other_numerator,
        cur.numerator as current_numerator,
        oth.denominator as other_denominator,
        cur.denominator as current_denominator,
        oth.record_count as other_record_count,
        cur.record_count as current_record_count,
        oth.target_value as other_target_value,
        cur.target_value as current_target_value,
        oth.meets_target as other_meets_target,
        cur.meets_target as current_meets_target
    from current_kpi_values as cur
    full outer join other_kpi_values as oth
        on
            cur.kpi_code = oth.kpi_code
            and cur.scope_level = oth.scope_level
            and cur.scope_id = oth.scope_id
            and cur.year = oth.year
),

-- a measure differs when exactly one side is null, or both differ beyond 1e-9 relative
differences as (
    select
        *,
        {%- for measure in ['value', 'numerator', 'denominator'] %}
        coalesce(
            abs(current_{{ measure }} - other_{{ measure }})
            > 1e-9 * greatest(abs(other_{{ measure }}), 1e-12),
            (current_{{ measure }} is null) != (other_{{ measure }} is null)
        ) as is_{{ measure }}_changed,
        {%- endfor %}
        current_record_count is distinct from other_record_count as is_record_count_changed,
        current_target_value is distinct from other_target_value as is_target_changed,
        current_meets_target is distinct from other_meets_target as is_target_verdict_changed
    from joined
),

compared as (
    select
        *,
        current_value - other_value as value_change,
        case
            when is_added then 'added'
            when is_removed then 'removed'
            when
                is_value_changed or is_numerator_changed or is_denominator_changed
                or is_record_count_changed or is_target_changed or is_target_verdict_changed
                then 'changed'
            else 'unchanged'
        end as status
    from differences
),

final as (
    select
        kpi_code,
        scope_level,
        scope_id,
        year,
        unit,
        status,
        other_value,
        current_value,
        value_change,
        other_numerator,
        current_numerator,
        other_denominator,
        current_denominator,
        other_record_count,
        current_record_count,
        other_target_value,
        current_target_value,
        other_meets_target,
        current_meets_target,
        is_target_verdict_changed
    from compared
    where status != 'unchanged' or not {{ 'true' if only_changes else 'false' }}
)

select
    kpi_code,
    scope_level,
    scope_id,
    year,
    unit,
    status,
    other_value,
    current_value,
    value_change,
    other_numerator,
    current_numerator,
    other_denominator,
    current_denominator,
    other_record_count,
    current_record_count,
    other_target_value,
    current_target_value,
    other_meets_target,
    current_meets_target,
    is_target_verdict_changed
from final
order by kpi_code, scope_level, scope_id, year
