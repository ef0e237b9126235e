{% test valid_cpv(model, column_name, check_digit=false) %}
{#- Every non-null value is a CPV 2008 code: the form 12345678 or 12345678-9 and the 8-digit
    part exists in the seed cpv_codes. With check_digit=true, a code written with a check
    digit that differs from the official one also fails; the default severity is then warn
    (the landing contract keeps such a code with the warning cpv_check_digit_mismatch).
    Returns one row per offending value with the number of rows that hold it (row_count)
    and the reason. -#}
{{ config(severity=('warn' if check_digit else 'error')) }}
with

cpv_codes as (
    select * from {{ ref('cpv_codes') }}
),

checked as (
    select
        cast(checked_value as {{ dbt.type_string() }}) as checked_value,
        row_count
    from ({{ column_value_counts(model, column_name) }}) as counted
),

classified as (
    select
        checked.checked_value,
        checked.row_count,
        cpv_codes.code as known_code,
        cpv_codes.check_digit as official_check_digit,
        {{ regex_match('checked.checked_value', '^[0-9]{8}(-[0-9])?$') }} as is_cpv_format
    from checked
    left join cpv_codes
        on substr(checked.checked_value, 1, 8) = cpv_codes.code
),

invalid as (
    select
        checked_value,
        row_count,
        case
            when not is_cpv_format then 'not_cpv_format'
            when known_code is null then 'not_in_cpv_2008'
            else 'check_digit_mismatch'
        end as failure_reason
    from classified
    where
        not is_cpv_format
        or known_code is null
        {%- if check_digit %}
        or (
            length(checked_value) = 10
            and cast(official_check_digit as {{ dbt.type_string() }}) <> substr(checked_value, 10, 1)
        )
        {%- endif %}
)

select * from invalid
{% endtest %}
