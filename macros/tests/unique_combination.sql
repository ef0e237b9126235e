{% test unique_combination(model, columns) %}
{#- Model-level test: no two rows share the same values in all of `columns` (a composite
    key). Returns one row per duplicated combination. Null parts compare as equal here
    (group by), so pair it with not_null on the key columns. -#}
with

key_counts as (
    select
        {% for column in columns -%}
        {{ column }},
        {% endfor -%}
        count(*) as row_count
    from {{ model }}
    group by
        {% for column in columns -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor %}
),

duplicated as (
    select * from key_counts
    where row_count > 1
)

select * from duplicated
{% endtest %}
