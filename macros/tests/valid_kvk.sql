{% test valid_kvk(model, column_name) %}
{#- Every non-null value is a KvK number as the landing contract defines it: exactly 8 digits
    (leading zeros kept, so the column must be text), no surrounding spaces. Returns the
    offending rows. Reuses the landing macro is_valid_kvk. -#}
{{ config(severity='error') }}
with

checked as (
    select {{ column_name }} as checked_value
    from {{ model }}
    where {{ column_name }} is not null
),

invalid as (
    select checked_value
    from checked
    where not coalesce(
        {{ is_valid_kvk('checked_value') }}
        and cast(checked_value as {{ dbt.type_string() }})
        = trim(cast(checked_value as {{ dbt.type_string() }})),
        false
    )
)

select * from invalid
{% endtest %}
