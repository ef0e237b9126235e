-- grain: one row per measure of the quality scorecard of the current build:
-- run_id x entity x dq_dimension x measure (the evidence behind dq_scorecard_history).
-- Measures, one intermediate model per family (models/intermediate/governance): landing_rules
-- (records), currentness (records), reconciliation and traceable_records (raw rows, records),
-- dbt_tests (tests), gx_rules (gate rules).
-- sqlfluff:indentation:template_blocks_indent:false
{{ config(pre_hook=create_dbt_test_results_table()) }}
{% set entities = landing_entity_names() %}
{#- the measure families: row-level ones describe the build itself; the dbt test and GX rule
    families carry the run they used (evidence_run_id) -#}
{% set row_families = [
    'int_dq_landing_rule_measures', 'int_dq_currentness_measures', 'int_dq_traceability_measures'
] %}
{% set run_families = ['int_dq_dbt_test_measures', 'int_dq_gx_rule_measures'] %}
with

build as (
    select * from {{ ref('int_dq_build') }}
),

{% for family in row_families + run_families %}
{{ family }} as (
    select * from {{ ref(family) }}
),

{% endfor %}
measures as (
    {% for family in row_families + run_families %}
    select
        entity,
        dq_dimension,
        measure,
        unit,
        denominator,
        failing,
        {% if family in run_families -%}
        evidence_run_id
        {%- else -%}
        cast(null as varchar) as evidence_run_id
        {%- endif %}
    from {{ family }}
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
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
        build.build_dbt_tests_recorded,
        build.build_gx_recorded
    from measures
    cross join build
)

select * from final
