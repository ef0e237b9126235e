{% macro normalize_cpv(col) -%}
    {#- The 8-digit CPV code when the value has the form 12345678 or 12345678-9 AND the 8 digits
        are a code of the CPV 2008 list (seed cpv_codes); otherwise null (invalid). A wrong check
        digit does not make the code invalid: see cpv_check_digit_mismatch. The lists are
        uncorrelated subqueries: DuckDB joins them once by hash, where a correlated `exists`
        would materialise the whole table for a dependent join. -#}
    case
        when {{ regex_match(clean_text(col), landing_format('cpv')) }}
            and substr({{ clean_text(col) }}, 1, 8) in (select cpv_list.code from {{ ref('cpv_codes') }} as cpv_list)
            then substr({{ clean_text(col) }}, 1, 8)
    end
{%- endmacro %}


{% macro cpv_check_digit_mismatch(col) -%}
    {#- True when the value is a known CPV code written with a check digit (12345678-9) that
        differs from the official one in the CPV 2008 list; false otherwise (also for a code
        whose check digit the list does not give). -#}
    coalesce(
        {{ regex_match(clean_text(col), '^[0-9]{8}-[0-9]$') }}
        and substr({{ clean_text(col) }}, 1, 8) in (
            select cpv_list.code from {{ ref('cpv_codes') }} as cpv_list where cpv_list.check_digit is not null
        )
        and {{ clean_text(col) }} not in (
            select cpv_list.code || '-' || cpv_list.check_digit
            from {{ ref('cpv_codes') }} as cpv_list
            where cpv_list.check_digit is not null
        ),
        false
    )
{%- endmacro %}
