-- grain: one row per entity x NORA dimension of the latest build in dq_scorecard_history
with

history as (
    select * from {{ ref('dq_scorecard_history') }}
),

latest_run as (
    select run_id
    from history
    order by run_at desc, scored_at desc
    limit 1
),

previous_scores as (
    -- the same entity and dimension in the build before the latest one, for the trend
    select
        history.entity,
        history.dq_dimension,
        history.score,
        history.run_id
    from history
    where history.run_id not in (select latest_run.run_id from latest_run)
    qualify row_number() over (
        partition by history.entity, history.dq_dimension order by history.run_at desc
    ) = 1
),

final as (
    select
        history.run_id,
        history.run_at,
        history.entity,
        history.entity_kind,
        history.dq_dimension,
        history.score,
        history.numerator,
        history.denominator,
        history.rows_score,
        history.rows_passing,
        history.rows_evaluated,
        history.dbt_tests_score,
        history.dbt_tests_passing,
        history.dbt_tests_evaluated,
        history.gx_rules_score,
        history.gx_rules_passing,
        history.gx_rules_evaluated,
        history.dbt_tests_run_id,
        history.gx_run_id,
        history.has_evidence_of_this_build,
        history.measures,
        previous_scores.run_id as previous_run_id,
        previous_scores.score as previous_score,
        history.score - previous_scores.score as score_change
    from history
    inner join latest_run
        on history.run_id = latest_run.run_id
    left join previous_scores
        on
            history.entity = previous_scores.entity
            and history.dq_dimension = previous_scores.dq_dimension
)

select * from final
