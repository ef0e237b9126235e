{% macro build_run_else_latest(results, scope, run_id, run_at, build) -%}
    {#- The one place that picks which run of a result history the quality scorecard uses:
        per `scope` (a dbt test's entity, a GX gate) the run of the scored build when the
        history holds it, else the latest run (latest run_at, then the highest run id).
        Renders a select of the rows of `results` (a CTE with the scope, run id and run_at
        columns) that belong to the chosen run of their scope (its latest run_at, should a run
        be recorded twice); `build` is a one-row CTE whose run_id is the scored build. -#}
    select {{ results }}.*
    from {{ results }}
    inner join (
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
    ) as chosen_runs
        on
            {{ results }}.{{ scope }} = chosen_runs.{{ scope }}
            and {{ results }}.{{ run_id }} = chosen_runs.{{ run_id }}
            and {{ results }}.{{ run_at }} = chosen_runs.{{ run_at }}
{%- endmacro %}
