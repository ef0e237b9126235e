-- grain: one row per entity x dq_dimension: the gx_rules measure of the quality scorecard,
-- the Great Expectations gate rules on the entity (a landing entity, or the warehouse model a
-- publication rule is on) that passed, from per gate the run chosen by build_run_else_latest:
-- this build's run when `mvoi validate` recorded it, else the latest run of the gate.
{{ config(materialized='ephemeral') }}
with

gx_validation_results as (
    {{ history_or_empty(source('governance_history', 'gx_validation_results'), {
        'run_id': 'varchar', 'run_at': 'timestamp', 'gate': 'varchar', 'data_asset': 'varchar',
        'rule_id': 'varchar', 'expectation_type': 'varchar', 'reason_code': 'varchar',
        'success': 'boolean',
    }) }}
),

landing_rules as (
    select * from {{ ref('landing_rules') }}
),

dq_dimension_map as (
    select * from {{ ref('dq_dimension_map') }}
),

build as (
    select * from {{ ref('int_dq_build') }}
),

gx_rules as (
    select
        gx_validation_results.run_id,
        gx_validation_results.run_at,
        gx_validation_results.gate,
        gx_validation_results.success,
        case
            when gx_validation_results.gate = 'landing' then split_part(gx_validation_results.data_asset, '.', 2)
            else regexp_replace(
                gx_validation_results.data_asset, '^(marts|governance|intermediate|staging)\.', ''
            )
        end as entity,
        coalesce(
            landing_rules.dq_dimension, by_check.dq_dimension, by_type.dq_dimension, 'validity'
        ) as dq_dimension
    from gx_validation_results
    left join landing_rules
        on
            gx_validation_results.gate = 'landing'
            and split_part(gx_validation_results.data_asset, '.', 2) = landing_rules.entity
            and gx_validation_results.reason_code = landing_rules.reason_code
    left join dq_dimension_map as by_check
        on
            by_check.tool = 'gx'
            and split_part(gx_validation_results.rule_id, '.', -1) = by_check.check_type
    left join dq_dimension_map as by_type
        on
            by_type.tool = 'gx'
            and gx_validation_results.expectation_type = by_type.check_type
),

chosen_gx_rules as (
    {{ build_run_else_latest('gx_rules', scope='gate', run_id='run_id', run_at='run_at', build='build') }}
),

final as (
    select
        entity,
        dq_dimension,
        'gx_rules' as measure,
        'gate rules' as unit,
        count(*) as denominator,
        count(*) filter (where not coalesce(success, false)) as failing,
        max(run_id) as evidence_run_id
    from chosen_gx_rules
    group by entity, dq_dimension
)

select * from final
