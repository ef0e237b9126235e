{% test valid_iso_country(model, column_name) %}
{#- Every non-null value is an officially assigned ISO 3166-1 alpha-2 code in upper case
    (the list of the landing macro iso_country_codes). Returns one row per offending value
    with the number of rows that hold it (row_count). -#}
{{ config(severity='error') }}
with

checked as (
    {{ column_value_counts(model, column_name) }}
),

invalid as (
    select
        checked_value,
        row_count
    from checked
    where cast(checked_value as {{ dbt.type_string() }}) not in (
        {%- for code in iso_country_codes() %}
        '{{ code }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
)

select * from invalid
{% endtest %}
