-- The quality scorecard never counts more passing checks than evaluated checks, and never
-- a negative count: returns the offending rows of the evidence and of the history.
with

evidence as (
    select * from {{ ref('dq_scorecard_evidence') }}
),

history as (
    select * from {{ ref('dq_scorecard_history') }}
),

offending as (
    select
        'dq_scorecard_evidence' as model_name,
        run_id,
        entity,
        dq_dimension,
        measure,
        numerator,
        denominator
    from evidence
    where numerator > denominator or numerator < 0 or denominator < 0
    union all
    select
        'dq_scorecard_history' as model_name,
        run_id,
        entity,
        dq_dimension,
        measures as measure,
        numerator,
        denominator
    from history
    where
        numerator > denominator
        or numerator < 0
        or denominator < 0
        or rows_passing > rows_evaluated
        or dbt_tests_passing > dbt_tests_evaluated
        or gx_rules_passing > gx_rules_evaluated
)

select * from offending
