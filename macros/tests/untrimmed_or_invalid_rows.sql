{% macro untrimmed_or_invalid_rows(model, column_name, validity_check) %}
{#- The body of the code-format tests (valid_oin, valid_kvk): the non-null values of a column
    that fail `validity_check` (SQL over the column `checked_value`, e.g. the rendered
    is_valid_oin('checked_value')) or carry surrounding spaces. Returns one row per offending
    value with the number of rows that hold it (row_count; column_value_counts). -#}
with

checked as (
    {{ column_value_counts(model, column_name) }}
),

invalid as (
    select
        checked_value,
        row_count
    from checked
    where not coalesce(
        {{ validity_check }}
        and cast(checked_value as {{ dbt.type_string() }})
        = trim(cast(checked_value as {{ dbt.type_string() }})),
        false
    )
)

select * from invalid
{% endmacro %}
