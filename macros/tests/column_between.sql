{% test column_between(model, column_name, min_value=none, max_value=none, where=none) %}
{#- Every non-null value of the column is within [min_value, max_value] (both inclusive; a
    bound left out is open), optionally only for the rows matching the SQL condition
    `where`. Returns the offending rows. -#}
{{ config(severity='error') }}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("column_between on " ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif %}
with

checked as (
    select {{ column_name }} as checked_value
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if where %}
        and ({{ where }})
        {%- endif %}
),

out_of_bounds as (
    select checked_value
    from checked
    where
        false
        {%- if min_value is not none %}
        or checked_value < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or checked_value > {{ max_value }}
        {%- endif %}
)

select * from out_of_bounds
{% endtest %}
