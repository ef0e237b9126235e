{% macro column_value_counts(model, column_name) %}
{#- The non-null values of a column, one row each (checked_value) with the number of rows that
    hold it (row_count): the code-format tests check these instead of every row, since a
    10M-row column of codes has a few hundred distinct values. -#}
select
    {{ column_name }} as checked_value,
    count(*) as row_count
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
{% endmacro %}
