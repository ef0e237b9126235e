{% macro build_run_else_latest(results, scope, run_id, run_at, build) -%}
    {#- The one place that picks which run of a result history the quality scorecard uses:
        per `scope` (a dbt test's entity, a GX gate) the run of the scored build when the
        history holds it, else the latest run (latest run_at, then the highest run id).
        Renders a select of `scope`, `run_id` and `run_at` (the run's latest run_at) from
        `results` (a CTE or relation with those columns), one row per scope; `build` is a
        one-row CTE or relation with the scored build's run_id. Join the results on all three
        columns to keep the chosen run's rows. -#}
    select
        {{ scope }},
        {{ run_id }},
        {{ run_at }}
    from (
        select
            {{ results }}.{{ scope }},
            {{ results }}.{{ run_id }},
            max({{ results }}.{{ run_at }}) as {{ run_at }},
            bool_or({{ results }}.{{ run_id }} = {{ build }}.run_id) as is_this_build
        from {{ results }}
        cross join {{ build }}
        group by {{ results }}.{{ scope }}, {{ results }}.{{ run_id }}
    ) as runs
    qualify row_number() over (
        partition by {{ scope }} order by is_this_build desc, {{ run_at }} desc, {{ run_id }} desc
    ) = 1
{%- endmacro %}
