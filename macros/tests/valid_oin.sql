{% test valid_oin(model, column_name) %}
{#- Every non-null value is an OIN (organisatie-identificatienummer) as the landing contract
    defines it: exactly 20 digits, no surrounding spaces. Returns the offending rows. Reuses
    the landing macro is_valid_oin, so the test and staging cannot disagree. -#}
{{ config(severity='error') }}
{{ untrimmed_or_invalid_rows(model, column_name, is_valid_oin('checked_value')) }}
{% endtest %}
