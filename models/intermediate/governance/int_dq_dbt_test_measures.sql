-- grain: one row per entity x dq_dimension: the dbt_tests measure of the quality scorecard,
-- the dbt tests on the entity (a landing entity, or the model / seed a test is attached to)
-- that passed, from per entity the run chosen by build_run_else_latest: this build's
-- invocation when its results are recorded (the scorecard rebuilt after the build), else the
-- latest invocation that tested the entity. Unit tests and skipped tests are not scored.
{{ config(materialized='ephemeral') }}
with

dbt_test_results as (
    {{ history_or_empty(source('governance_history', 'dbt_test_results'), {
        'invocation_id': 'varchar', 'run_at': 'timestamp', 'resource_type': 'varchar',
        'test_name': 'varchar', 'test_type': 'varchar', 'attached_name': 'varchar',
        'entity': 'varchar', 'status': 'varchar',
    }) }}
),

dq_dimension_map as (
    select * from {{ ref('dq_dimension_map') }}
),

build as (
    select * from {{ ref('int_dq_build') }}
),

dbt_tests as (
    select
        dbt_test_results.invocation_id,
        dbt_test_results.run_at,
        dbt_test_results.status,
        coalesce(dbt_test_results.entity, dbt_test_results.attached_name) as entity,
        coalesce(by_name.dq_dimension, by_type.dq_dimension, 'validity') as dq_dimension
    from dbt_test_results
    left join dq_dimension_map as by_name
        on
            by_name.tool = 'dbt'
            and dbt_test_results.test_type = 'singular'
            and dbt_test_results.test_name = by_name.check_type
    left join dq_dimension_map as by_type
        on
            by_type.tool = 'dbt'
            and dbt_test_results.test_type = by_type.check_type
    where
        dbt_test_results.resource_type = 'test'
        and dbt_test_results.status <> 'skipped'
        and coalesce(dbt_test_results.entity, dbt_test_results.attached_name) is not null
),

chosen_dbt_tests as (
    {{ build_run_else_latest('dbt_tests', scope='entity', run_id='invocation_id', run_at='run_at', build='build') }}
),

final as (
    select
        entity,
        dq_dimension,
        'dbt_tests' as measure,
        'tests' as unit,
        count(*) as denominator,
        count(*) filter (where status <> 'pass') as failing,
        max(invocation_id) as evidence_run_id
    from chosen_dbt_tests
    group by entity, dq_dimension
)

select * from final
