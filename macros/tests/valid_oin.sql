{% test valid_oin(model, column_name) %}
{#- Every non-null value is an OIN (organisatie-identificatienummer) as the landing contract
    defines it: exactly 20 digits, no surrounding spaces. Returns the offending rows. Reuses
    the landing macro is_valid_oin, so the test and staging cannot disagree. -#}
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
        {{ is_valid_oin('checked_value') }}
        and cast(checked_value as {{ dbt.type_string() }})
        = trim(cast(checked_value as {{ dbt.type_string() }})),
        false
    )
)

select * from invalid
{% endtest %}
