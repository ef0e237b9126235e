{% test valid_kvk(model, column_name) %}
{#- Every non-null value is a KvK number as the landing contract defines it: exactly 8 digits
    (leading zeros kept, so the column must be text), no surrounding spaces. Returns the
    offending rows. Reuses the landing macro is_valid_kvk. -#}
{{ config(severity='error') }}
{{ untrimmed_or_invalid_rows(model, column_name, is_valid_kvk('checked_value')) }}
{% endtest %}
