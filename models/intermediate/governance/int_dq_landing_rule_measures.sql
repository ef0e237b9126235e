-- grain: one row per landing entity x dq_dimension (completeness, validity, consistency,
-- uniqueness): the landing_rules measure of the quality scorecard. A record fails a dimension
-- when it has a fatal reason (rejected) or a warning (loaded) of that dimension; exact
-- duplicate copies fail uniqueness.
{{ config(materialized='ephemeral') }}
with

landing_reconciliation as (
    select * from {{ ref('landing_reconciliation') }}
),

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

row_warnings as (
    select * from {{ ref('row_warnings') }}
),

landing_rules as (
    select * from {{ ref('landing_rules') }}
),

dimensions as (
    select unnest(['completeness', 'validity', 'consistency', 'uniqueness']) as dq_dimension
),

rejected_problems as (
    select distinct
        rejected.entity,
        rejected.record_number,
        landing_rules.dq_dimension
    from (
        select
            entity,
            row_number() over (partition by entity order by source_key, original_record) as record_number,
            unnest(all_reason_codes) as reason_code
        from rejected_rows
    ) as rejected
    inner join landing_rules
        on
            rejected.entity = landing_rules.entity
            and rejected.reason_code = landing_rules.reason_code
),

warning_problems as (
    select distinct
        entity,
        source_key,
        dq_dimension
    from row_warnings
),

problem_counts as (
    select
        entity,
        dq_dimension,
        count(*) as failing_records
    from rejected_problems
    group by entity, dq_dimension
    union all
    select
        entity,
        dq_dimension,
        count(*) as failing_records
    from warning_problems
    group by entity, dq_dimension
),

final as (
    select
        landing_reconciliation.entity,
        dimensions.dq_dimension,
        'landing_rules' as measure,
        'records' as unit,
        case
            when dimensions.dq_dimension = 'uniqueness' then landing_reconciliation.raw_rows
            else landing_reconciliation.loaded_rows + landing_reconciliation.rejected_rows
        end as denominator,
        coalesce(sum(problem_counts.failing_records), 0)
        + case
            when dimensions.dq_dimension = 'uniqueness' then landing_reconciliation.exact_duplicates_removed
            else 0
        end as failing
    from landing_reconciliation
    cross join dimensions
    left join problem_counts
        on
            landing_reconciliation.entity = problem_counts.entity
            and dimensions.dq_dimension = problem_counts.dq_dimension
    group by
        landing_reconciliation.entity,
        dimensions.dq_dimension,
        landing_reconciliation.raw_rows,
        landing_reconciliation.loaded_rows,
        landing_reconciliation.rejected_rows,
        landing_reconciliation.exact_duplicates_removed
)

select * from final
