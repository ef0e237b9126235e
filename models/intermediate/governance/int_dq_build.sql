-- grain: one row: the build (delivery) the quality scorecard describes, the run that built the
-- governance tables, and whether its own dbt test results and GX results are recorded yet
{{ config(materialized='ephemeral') }}
with

landing_reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

dbt_test_results as (
    {{ history_or_empty(
        source('governance_history', 'dbt_test_results'), {'invocation_id': 'varchar'}
    ) }}
),

gx_validation_results as (
    {{ history_or_empty(
        source('governance_history', 'gx_validation_results'), {'run_id': 'varchar'}
    ) }}
),

build as (
    select
        max(run_id) as run_id,
        max(loaded_at) as run_at
    from landing_reconciliation
),

final as (
    -- the build's dbt test results and GX results are not recorded while the build itself
    -- runs: see the doc block dq_scorecard_rules
    select
        build.run_id,
        build.run_at,
        exists(
            select 1 from dbt_test_results
            where dbt_test_results.invocation_id = build.run_id
        ) as build_dbt_tests_recorded,
        exists(
            select 1 from gx_validation_results
            where gx_validation_results.run_id = build.run_id
        ) as build_gx_recorded
    from build
)

select * from final
