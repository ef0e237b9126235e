-- grain: one row per build (run_id) x entity x NORA dimension; appended on every build and
-- replaced when the scorecard is rebuilt for the same build (delete+insert on the key), so
-- the trend per source entity stays visible across deliveries. full_refresh=false: a
-- `dbt build --full-refresh` never wipes the history.
-- sqlfluff:indentation:template_blocks_indent:false
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['run_id', 'entity', 'dq_dimension'],
    on_schema_change='append_new_columns',
    full_refresh=false,
) }}
{% set entities = landing_entity_names() %}
with

evidence as (
    select * from {{ ref('dq_scorecard_evidence') }}
),

build as (
    select
        run_id,
        run_at
    from {{ ref('int_dq_build') }}
),

landing_entities as (
    {% for entity in entities -%}
    select '{{ entity }}' as entity
    {% if not loop.last -%}
    union all
    {% endif -%}
    {% endfor %}
),

dimensions as (
    select unnest([
        'completeness', 'validity', 'consistency', 'uniqueness', 'timeliness', 'traceability'
    ]) as dq_dimension
),

-- every landing entity gets all six dimensions, also without evidence (score null)
landing_grid as (
    select
        build.run_id,
        build.run_at,
        landing_entities.entity,
        'landing' as entity_kind,
        dimensions.dq_dimension
    from build
    cross join landing_entities
    cross join dimensions
),

grid as (
    select
        run_id,
        run_at,
        entity,
        entity_kind,
        dq_dimension
    from landing_grid
    union
    select distinct
        run_id,
        run_at,
        entity,
        entity_kind,
        dq_dimension
    from evidence
),

aggregated as (
    select
        run_id,
        entity,
        dq_dimension,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(numerator) filter (where measure not in ('dbt_tests', 'gx_rules')) as rows_passing,
        sum(denominator) filter (where measure not in ('dbt_tests', 'gx_rules')) as rows_evaluated,
        sum(numerator) filter (where measure = 'dbt_tests') as dbt_tests_passing,
        sum(denominator) filter (where measure = 'dbt_tests') as dbt_tests_evaluated,
        sum(numerator) filter (where measure = 'gx_rules') as gx_rules_passing,
        sum(denominator) filter (where measure = 'gx_rules') as gx_rules_evaluated,
        max(evidence_run_id) filter (where measure = 'dbt_tests') as dbt_tests_run_id,
        max(evidence_run_id) filter (where measure = 'gx_rules') as gx_run_id,
        string_agg(measure, ', ' order by measure) as measures,
        bool_and(build_dbt_tests_recorded and build_gx_recorded) as build_results_recorded
    from evidence
    group by run_id, entity, dq_dimension
),

build_flags as (
    select bool_and(build_dbt_tests_recorded and build_gx_recorded) as build_results_recorded
    from evidence
),

final as (
    select
        grid.run_id,
        grid.run_at,
        grid.entity,
        grid.entity_kind,
        grid.dq_dimension,
        case
            when aggregated.denominator > 0
                then round(100.0 * aggregated.numerator / aggregated.denominator, 2)
        end as score,
        cast(coalesce(aggregated.numerator, 0) as bigint) as numerator,
        cast(coalesce(aggregated.denominator, 0) as bigint) as denominator,
        case
            when aggregated.rows_evaluated > 0
                then round(100.0 * aggregated.rows_passing / aggregated.rows_evaluated, 2)
        end as rows_score,
        cast(aggregated.rows_passing as bigint) as rows_passing,
        cast(aggregated.rows_evaluated as bigint) as rows_evaluated,
        case
            when aggregated.dbt_tests_evaluated > 0
                then round(100.0 * aggregated.dbt_tests_passing / aggregated.dbt_tests_evaluated, 2)
        end as dbt_tests_score,
        cast(aggregated.dbt_tests_passing as bigint) as dbt_tests_passing,
        cast(aggregated.dbt_tests_evaluated as bigint) as dbt_tests_evaluated,
        case
            when aggregated.gx_rules_evaluated > 0
                then round(100.0 * aggregated.gx_rules_passing / aggregated.gx_rules_evaluated, 2)
        end as gx_rules_score,
        cast(aggregated.gx_rules_passing as bigint) as gx_rules_passing,
        cast(aggregated.gx_rules_evaluated as bigint) as gx_rules_evaluated,
        aggregated.dbt_tests_run_id,
        aggregated.gx_run_id,
        coalesce(aggregated.build_results_recorded, build_flags.build_results_recorded, false)
        and coalesce(aggregated.dbt_tests_run_id = grid.run_id, true)
        and coalesce(aggregated.gx_run_id = grid.run_id, true) as has_evidence_of_this_build,
        aggregated.measures,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as scored_at,
        '{{ invocation_id }}' as scored_by_invocation_id
    from grid
    cross join build_flags
    left join aggregated
        on
            grid.run_id = aggregated.run_id
            and grid.entity = aggregated.entity
            and grid.dq_dimension = aggregated.dq_dimension
)

select * from final
