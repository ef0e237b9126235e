{% test reconciles_with(model, column_name, to, field, group_by=none, to_group_by=none, tolerance=0, where=none, to_where=none) %}
{#- The sum of `column_name` of this model equals the sum of `field` of the model `to`, in
    total or per group (`group_by`: columns of this model; `to_group_by`: the matching
    columns of `to`, by default the same names), within an absolute `tolerance`. A group
    present on one side only compares with 0. Optional SQL conditions `where` / `to_where`
    filter either side. Returns one row per group that does not reconcile. -#}
{{ config(severity='error') }}
{%- set groups = group_by or [] -%}
{%- set to_groups = to_group_by or groups -%}
{%- if groups | length != to_groups | length -%}
    {{ exceptions.raise_compiler_error("reconciles_with: group_by and to_group_by need the same number of columns") }}
{%- endif %}
with

this_side as (
    select
        {% for column in groups -%}
        {{ column }} as group_{{ loop.index }},
        {% endfor -%}
        sum({{ column_name }}) as this_total
    from {{ model }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    {%- if groups %}
    group by {% for column in groups %}{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
    {%- endif %}
),

other_side as (
    select
        {% for column in to_groups -%}
        {{ column }} as group_{{ loop.index }},
        {% endfor -%}
        sum({{ field }}) as other_total
    from {{ to }}
    {%- if to_where %}
    where {{ to_where }}
    {%- endif %}
    {%- if to_groups %}
    group by {% for column in to_groups %}{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
    {%- endif %}
),

compared as (
    select
        {% for column in groups -%}
        coalesce(this_side.group_{{ loop.index }}, other_side.group_{{ loop.index }}) as {{ column }},
        {% endfor -%}
        coalesce(this_side.this_total, 0) as this_total,
        coalesce(other_side.other_total, 0) as other_total
    from this_side
    full outer join other_side
        on
            {% for column in groups -%}
            this_side.group_{{ loop.index }} is not distinct from other_side.group_{{ loop.index }}
            {{ "and " if not loop.last }}
            {%- else -%}
            true
            {%- endfor %}
),

not_reconciled as (
    select
        *,
        this_total - other_total as difference
    from compared
    where abs(this_total - other_total) > {{ tolerance }}
)

select * from not_reconciled
{% endtest %}
