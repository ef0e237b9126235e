-- grain: one row per measure of the quality scorecard of the current build:
-- run_id x entity x dq_dimension x measure (the evidence behind dq_scorecard_history).
-- Measures: landing_rules (records), currentness (records), reconciliation (raw rows),
-- traceable_records (records), dbt_tests (tests), gx_rules (gate rules).
-- sqlfluff:indentation:template_blocks_indent:false
{{ config(pre_hook=create_dbt_test_results_table()) }}
{% set entities = landing_entity_names() %}
{% set gx_relation = source('governance_history', 'gx_validation_results') %}
{% set currentness_dates = {
    'supplier_certificates': 'coalesce(valid_to, reference_date)',
    'tenders': 'coalesce(award_date, publication_date)',
    'contracts': 'coalesce(end_date, reference_date)',
    'invoice_lines': 'invoice_date',
    'social_return_realisations': 'period_end',
    'material_reports': 'period_end',
} %}
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

dq_dimension_map as (
    select * from {{ ref('dq_dimension_map') }}
),

dbt_test_results as (
    select * from {{ source('governance_history', 'dbt_test_results') }}
),

{% if relation_exists(gx_relation) %}
gx_validation_results as (
    select * from {{ gx_relation }}
),
{% else %}
gx_validation_results as (
    -- the GX gates have not run on this database yet: no GX evidence
    select
        cast(null as varchar) as run_id,
        cast(null as timestamp) as run_at,
        cast(null as varchar) as gate,
        cast(null as varchar) as data_asset,
        cast(null as varchar) as rule_id,
        cast(null as varchar) as expectation_type,
        cast(null as varchar) as reason_code,
        cast(null as boolean) as success
    where false
),
{% endif %}

invoice_lines as (
    select * from {{ ref('stg_landing__invoice_lines') }}
),

{% for entity in currentness_dates %}
{% if entity != 'invoice_lines' %}
{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity) }}
),
{% endif %}
{% endfor %}

build as (
    -- the build (delivery) the scorecard describes: the run that built the governance tables
    select
        max(run_id) as run_id,
        max(loaded_at) as run_at
    from landing_reconciliation
),

dimensions as (
    select unnest([
        'completeness', 'validity', 'consistency', 'uniqueness', 'timeliness', 'traceability'
    ]) as dq_dimension
),

-- landing rules: a record fails a dimension when it has a fatal reason (rejected) or a warning
-- (loaded) of that dimension; exact duplicate copies fail uniqueness
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

landing_rule_measures as (
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
    where dimensions.dq_dimension in ('completeness', 'validity', 'consistency', 'uniqueness')
    group by
        landing_reconciliation.entity,
        dimensions.dq_dimension,
        landing_reconciliation.raw_rows,
        landing_reconciliation.loaded_rows,
        landing_reconciliation.rejected_rows,
        landing_reconciliation.exact_duplicates_removed
),

-- timeliness / currentness: the share of loaded records whose date lies within the last
-- var('dq_currentness_months') months before the delivery's reference date (the latest
-- loaded invoice date); organisations and suppliers carry no date
reference as (
    select max(invoice_date) as reference_date
    from invoice_lines
),

currentness_measures as (
    {% for entity, date_expression in currentness_dates.items() %}
    select
        '{{ entity }}' as entity,
        'timeliness' as dq_dimension,
        'currentness' as measure,
        'records' as unit,
        count({{ date_expression }}) as denominator,
        count({{ date_expression }}) filter (
            where {{ date_expression }}
            < reference.reference_date - to_months({{ var('dq_currentness_months', 36) }})
        ) as failing
    from {{ entity }}
    cross join reference
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
),

-- traceability: every raw row accounted for (raw = loaded + rejected + exact duplicates), and
-- every loaded record traceable to its parties (no unknown or missing reference warning)
reconciliation_measures as (
    select
        entity,
        'traceability' as dq_dimension,
        'reconciliation' as measure,
        'raw rows' as unit,
        raw_rows as denominator,
        abs(raw_rows - (loaded_rows + rejected_rows + exact_duplicates_removed)) as failing
    from landing_reconciliation
),

untraceable as (
    select
        entity,
        count(distinct source_key) as failing
    from row_warnings
    where starts_with(reason_code, 'unknown_') or reason_code = 'missing_supplier_id'
    group by entity
),

traceable_measures as (
    select
        landing_reconciliation.entity,
        'traceability' as dq_dimension,
        'traceable_records' as measure,
        'records' as unit,
        landing_reconciliation.loaded_rows as denominator,
        coalesce(untraceable.failing, 0) as failing
    from landing_reconciliation
    left join untraceable
        on landing_reconciliation.entity = untraceable.entity
),

-- dbt tests: per entity the results of this build's invocation when they are there (the
-- scorecard re-run after the build), else of the latest invocation that tested the entity
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

dbt_test_runs as (
    select
        dbt_tests.entity,
        dbt_tests.invocation_id,
        max(dbt_tests.run_at) as run_at,
        bool_or(dbt_tests.invocation_id = build.run_id) as is_this_build
    from dbt_tests
    cross join build
    group by dbt_tests.entity, dbt_tests.invocation_id
),

chosen_dbt_test_runs as (
    select
        entity,
        invocation_id
    from dbt_test_runs
    qualify row_number() over (
        partition by entity order by is_this_build desc, run_at desc, invocation_id desc
    ) = 1
),

dbt_test_measures as (
    select
        dbt_tests.entity,
        dbt_tests.dq_dimension,
        'dbt_tests' as measure,
        'tests' as unit,
        count(*) as denominator,
        count(*) filter (where dbt_tests.status <> 'pass') as failing,
        max(dbt_tests.invocation_id) as evidence_run_id
    from dbt_tests
    inner join chosen_dbt_test_runs
        on
            dbt_tests.entity = chosen_dbt_test_runs.entity
            and dbt_tests.invocation_id = chosen_dbt_test_runs.invocation_id
    group by dbt_tests.entity, dbt_tests.dq_dimension
),

-- GX gate rules: per gate the run of this build when it is there, else the latest run
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

gx_runs as (
    select
        gx_rules.gate,
        gx_rules.run_id,
        max(gx_rules.run_at) as run_at,
        bool_or(gx_rules.run_id = build.run_id) as is_this_build
    from gx_rules
    cross join build
    group by gx_rules.gate, gx_rules.run_id
),

chosen_gx_runs as (
    select
        gate,
        run_id,
        run_at
    from gx_runs
    qualify row_number() over (
        partition by gate order by is_this_build desc, run_at desc, run_id desc
    ) = 1
),

gx_rule_measures as (
    select
        gx_rules.entity,
        gx_rules.dq_dimension,
        'gx_rules' as measure,
        'gate rules' as unit,
        count(*) as denominator,
        count(*) filter (where not coalesce(gx_rules.success, false)) as failing,
        max(gx_rules.run_id) as evidence_run_id
    from gx_rules
    inner join chosen_gx_runs
        on
            gx_rules.gate = chosen_gx_runs.gate
            and gx_rules.run_id = chosen_gx_runs.run_id
            and gx_rules.run_at = chosen_gx_runs.run_at
    group by gx_rules.entity, gx_rules.dq_dimension
),

build_recorded as (
    -- whether the build's own dbt test results and GX results are recorded yet (they are not
    -- while the build itself runs: see the doc block dq_scorecard_rules)
    select
        exists(
            select 1 from dbt_test_results
            where dbt_test_results.invocation_id = build.run_id
        ) as build_dbt_tests_recorded,
        exists(
            select 1 from gx_validation_results
            where gx_validation_results.run_id = build.run_id
        ) as build_gx_recorded
    from build
),

measures as (
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        cast(null as varchar) as evidence_run_id
    from landing_rule_measures
    union all
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        null as evidence_run_id
    from currentness_measures
    union all
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        null as evidence_run_id
    from reconciliation_measures
    union all
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        null as evidence_run_id
    from traceable_measures
    union all
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        evidence_run_id
    from dbt_test_measures
    union all
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        evidence_run_id
    from gx_rule_measures
),

final as (
    select
        build.run_id,
        build.run_at,
        measures.entity,
        case
            when measures.entity in (
                {% for entity in entities -%}
                '{{ entity }}'{{ "," if not loop.last }}
                {% endfor -%}
            ) then 'landing'
            else 'warehouse'
        end as entity_kind,
        measures.dq_dimension,
        measures.measure,
        measures.unit,
        cast(measures.denominator - measures.failing as bigint) as numerator,
        cast(measures.denominator as bigint) as denominator,
        case
            when measures.denominator > 0
                then round(100.0 * (measures.denominator - measures.failing) / measures.denominator, 2)
        end as score,
        coalesce(measures.evidence_run_id, build.run_id) as evidence_run_id,
        coalesce(measures.evidence_run_id, build.run_id) = build.run_id as is_evidence_of_this_build,
        build_recorded.build_dbt_tests_recorded,
        build_recorded.build_gx_recorded
    from measures
    cross join build
    cross join build_recorded
)

select * from final
